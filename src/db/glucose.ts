import type { GlucosePoint } from "../../views/glucose";
import { TARGET_RANGE_MGDL } from "../../views/glucose";

/**
 * Glucose readings as the card, the detail view and the live push need them, read from D1's normalized records
 * (kind `glucose_reading`, source `dexcom`) through the (user_id, kind, start_time) index.
 */
/**
 * The newest reading and the `span` of readings before it, wherever that lies in time: what a glucose card shows.
 * Unlike a window ending now, it still finds the last reading when readings stopped hours or days ago, so the card
 * can say how old it is (the stale warning) instead of "no readings yet". One statement: the max() is a seek on
 * the (user_id, kind, start_time) index.
 */
export async function latestGlucose(d1: D1Database, userId: string, span = 3 * 3_600_000, limit = 80): Promise<GlucosePoint[]> {
  const { results } = await d1
    .prepare(
      `SELECT start_time AS time, data ->> '$.blood_glucose.value' AS mgdl, data ->> '$.trend' AS trend, data ->> '$.status' AS status
       FROM health_records WHERE user_id = ?1 AND kind = 'glucose_reading'
         AND start_time >= (SELECT max(start_time) FROM health_records WHERE user_id = ?1 AND kind = 'glucose_reading') - ?2
       ORDER BY start_time DESC LIMIT ?3`,
    )
    .bind(userId, span, limit)
    .all<{ time: number; mgdl: number; trend: string; status: string | null }>();
  return results.reverse().map((row) => ({ time: row.time, mgdl: Math.round(row.mgdl), trend: row.trend, status: row.status ?? undefined }));
}

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

/** Time in range (70–180 mg/dL), below, above, mean and GMI over a period, computed in one SQL aggregate. */
export async function glucoseStats(d1: D1Database, userId: string, since: number, until: number): Promise<GlucoseStats> {
  const row = await d1
    .prepare(
      `SELECT count(*) AS n, avg(v) AS mean, sum(v < ?4) AS below, sum(v > ?5) AS above
       FROM (SELECT data ->> '$.blood_glucose.value' AS v FROM health_records
             WHERE user_id = ?1 AND kind = 'glucose_reading' AND start_time >= ?2 AND start_time < ?3)`,
    )
    .bind(userId, since, until, TARGET_RANGE_MGDL.low, TARGET_RANGE_MGDL.high)
    .first<{ n: number; mean: number | null; below: number | null; above: number | null }>();
  const n = row?.n ?? 0;
  const expected = Math.max(1, Math.floor((until - since) / (5 * 60_000)));
  if (n === 0 || row?.mean == null) return { readings: 0, meanMgdl: null, inRange: null, below: null, above: null, gmi: null, coverage: 0 };
  const below = (row.below ?? 0) / n;
  const above = (row.above ?? 0) / n;
  return {
    readings: n,
    meanMgdl: row.mean,
    inRange: 1 - below - above,
    below,
    above,
    gmi: Math.round((3.31 + 0.02392 * row.mean) * 10) / 10,
    coverage: Math.min(1, n / expected),
  };
}
