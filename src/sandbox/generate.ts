/**
 * Deterministic, plausible data for the sandbox providers: the same person, day and kind always produce the same
 * values (so a re-sync changes nothing), and different people get different but realistic numbers.
 */

/** 32-bit FNV-1a of a string: the seed for a day's values. */
export function seedOf(...parts: (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const char of parts.join("|")) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small, fast PRNG that is plenty for fake-but-stable health numbers. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value around `mean` with spread `sd` (Box–Muller), clamped to [min, max]. */
export function normal(rand: () => number, mean: number, sd: number, min = -Infinity, max = Infinity): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(max, Math.max(min, mean + sd * z));
}

export function int(rand: () => number, mean: number, sd: number, min: number, max: number): number {
  return Math.round(normal(rand, mean, sd, min, max));
}

const DAY_MS = 86_400_000;

/** The UTC calendar days (YYYY-MM-DD) a window touches, oldest first; never the future. */
export function daysIn(startMs: number, endMs: number, now = Date.now()): string[] {
  const days: string[] = [];
  const last = Math.min(endMs, now);
  for (let t = Math.floor(startMs / DAY_MS) * DAY_MS; t < last; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** A stable UUID-shaped id from a seed (for providers whose record ids are UUIDs). */
export function uuidFrom(...parts: (string | number)[]): string {
  const rand = random(seedOf(...parts));
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
