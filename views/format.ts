const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

const STEPS: [limitSeconds: number, unit: Intl.RelativeTimeFormatUnit, seconds: number][] = [
  [60, "second", 1],
  [3600, "minute", 60],
  [86400, "hour", 3600],
  [86400 * 30, "day", 86400],
  [86400 * 365, "month", 86400 * 30],
  [Number.POSITIVE_INFINITY, "year", 86400 * 365],
];

/** "5 minutes ago", "in 10 minutes", "just now". */
export function relativeTime(at: number, now: number): string {
  const deltaSeconds = Math.round((at - now) / 1000);
  if (Math.abs(deltaSeconds) < 45) return "just now";
  for (const [limit, unit, seconds] of STEPS) {
    if (Math.abs(deltaSeconds) < limit) return RELATIVE.format(Math.round(deltaSeconds / seconds), unit);
  }
  return new Date(at).toISOString();
}

const ABSOLUTE = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "29 Nov 2026, 20:05 UTC": the exact moment behind a relative time, shown on hover. */
export function absoluteTime(at: number): string {
  return `${ABSOLUTE.format(at)} UTC`;
}
