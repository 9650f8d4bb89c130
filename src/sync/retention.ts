// Retention of the control plane's audit trail. Health records left D1 for the people's UserHubs, but every sync
// still leaves a sync_runs row and every notification a webhook_events row, about 82 KB a person-day
// (docs/capacity.md): kept forever, they would fill D1's 10 GB on their own. Each tick of the sync cron deletes the
// oldest rows past their retention, a bounded amount per tick, so the work never competes with the syncs.

const DAY_MS = 86_400_000;

/**
 * How long each audit row is kept. webhook_events rows are the dedupe keys: providers retry for up to 7 days
 * (Google Health's documented limit, the longest we know), so twice that keeps every retry deduped. sync_runs feed
 * the detail page's recent syncs and support questions; a month covers both.
 */
export const RETENTION_MS = { webhookEvents: 14 * DAY_MS, syncRuns: 30 * DAY_MS } as const;

/** Rows deleted per statement, and statements per table per tick: bounded work on the cron's clock. */
const ROWS_PER_STATEMENT = 5000;
const STATEMENTS_PER_TICK = 4;

// Oldest first through the received_at / started_at indexes (migrations/0007), a bounded page per statement:
// D1's SQLite has no DELETE … LIMIT.
const PRUNE_SQL = {
  webhookEvents: "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)",
  syncRuns: "DELETE FROM sync_runs WHERE id IN (SELECT id FROM sync_runs WHERE started_at < ?1 ORDER BY started_at LIMIT ?2)",
} as const;

export type PruneResult = Record<keyof typeof PRUNE_SQL, number>;

/** Deletes audit rows older than their retention, at most STATEMENTS_PER_TICK × ROWS_PER_STATEMENT per table. */
export async function pruneAuditTrail(d1: D1Database, now: number): Promise<PruneResult> {
  const deleted: PruneResult = { webhookEvents: 0, syncRuns: 0 };
  for (const table of Object.keys(PRUNE_SQL) as (keyof typeof PRUNE_SQL)[]) {
    const statement = d1.prepare(PRUNE_SQL[table]).bind(now - RETENTION_MS[table], ROWS_PER_STATEMENT);
    for (let i = 0; i < STATEMENTS_PER_TICK; i++) {
      const changes = (await statement.run()).meta.changes ?? 0;
      deleted[table] += changes;
      if (changes < ROWS_PER_STATEMENT) break;
    }
  }
  return deleted;
}
