import type { GlucoseAggregate } from "../../durable-objects/records/store";

export interface GlucoseStats {
  readings: number;
  meanMgdl: number | null;
  /** Shares of readings, 0–1. */
  inRange: number | null;
  below: number | null;
  above: number | null;
  /** Glucose Management Indicator (%) = 3.31 + 0.02392 × mean glucose in mg/dL (Bergenstal et al., 2018). */
  gmi: number | null;
  /** Readings over the expected count (one every five minutes): how complete the period's data is. */
  coverage: number;
}

/** Time in range (70–180 mg/dL), below, above, mean and GMI over [since, until), from the store's sums. */
export function glucoseStats(sums: GlucoseAggregate, since: number, until: number): GlucoseStats {
  const n = sums.n;
  const expected = Math.max(1, Math.floor((until - since) / (5 * 60_000)));
  if (n === 0 || sums.mean == null) return { readings: 0, meanMgdl: null, inRange: null, below: null, above: null, gmi: null, coverage: 0 };
  const below = (sums.below ?? 0) / n;
  const above = (sums.above ?? 0) / n;
  return {
    readings: n,
    meanMgdl: sums.mean,
    inRange: 1 - below - above,
    below,
    above,
    gmi: Math.round((3.31 + 0.02392 * sums.mean) * 10) / 10,
    coverage: Math.min(1, n / expected),
  };
}
