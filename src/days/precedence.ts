/**
 * Which source a metric comes from when several have it. The table is data, in one place, with its reasons in
 * docs/daily-picture.md; a person's own choice for a metric goes first, and a source with nothing for the day
 * (stale, not worn, not synced) falls through to the next. Sources not in a metric's list come after it.
 */

export const METRICS = ["sleep", "readiness", "activity", "resting_heart_rate", "hrv", "glucose", "weight"] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_LABELS: Record<Metric, string> = {
  sleep: "Sleep",
  readiness: "Readiness",
  activity: "Activity",
  resting_heart_rate: "Resting heart rate",
  hrv: "HRV",
  glucose: "Glucose",
  weight: "Weight",
};

/**
 * The default order per metric (reasons: docs/daily-picture.md). Activity has no fixed order: the source that
 * counted the most steps that day goes first (a device that was not worn counts none), then this list breaks ties.
 */
export const DEFAULT_PRECEDENCE: Record<Metric, readonly string[]> = {
  // A ring's finger PPG beats a wrist's in sleep staging against polysomnography; WHOOP's strap is worn for sleep.
  sleep: ["oura", "whoop", "garmin", "fitbit", "apple-health", "health-connect"],
  readiness: ["oura", "whoop", "garmin"],
  activity: ["garmin", "fitbit", "apple-health", "health-connect", "oura", "whoop"],
  // Resting HR and HRV measured over the night (ring, strap) before daytime wrist spot values.
  resting_heart_rate: ["oura", "whoop", "garmin", "fitbit", "apple-health", "health-connect"],
  // Apple Health's HRV is SDNN, not RMSSD: a different measure, so it comes last.
  hrv: ["oura", "whoop", "garmin", "fitbit", "health-connect", "apple-health"],
  glucose: ["dexcom", "apple-health", "health-connect"],
  // A scale measures; a wearable's profile weight is what the person typed.
  weight: ["withings", "garmin", "fitbit", "apple-health", "health-connect", "whoop", "oura"],
};

/** The candidates in the order a metric looks at them: the person's choice, then the default list, then the rest. */
export function sourceOrder(metric: Metric, candidates: Iterable<string>, override?: string | null): string[] {
  const list = DEFAULT_PRECEDENCE[metric];
  const rank = (source: string) => {
    const i = list.indexOf(source);
    return i === -1 ? list.length : i;
  };
  const all = new Set(candidates);
  const rest = [...all].filter((s) => s !== override).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  // The person's choice leads only where it is a candidate: a nap their chosen source did not see is still a nap.
  return override && all.has(override) ? [override, ...rest] : rest;
}
