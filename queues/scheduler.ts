import { claimDueConnections } from "../src/db/connections";
import { SourceId } from "../src/domain/integration";
import { provider } from "../src/providers/registry";
import { moveHealthRecords } from "../src/records/move-from-d1";
import type { SyncJob } from "../src/sync/jobs";
import { pruneAuditTrail } from "../src/sync/retention";
import { enqueueSyncJobs, jobsFor, readCursor, scheduledWindow } from "../src/sync/schedule";

export const SYNC_CRON = "*/15 * * * *";
export const DAILY_CRON = "10 4 * * *";

/** A claimed connection is not claimed again for this long, even if its job is lost before it runs. */
const CLAIM_LEASE_MS = 30 * 60_000;
const CLAIM_PAGE = 500;
const MAX_PAGES_PER_RUN = 8;

/**
 * Finds connections whose `next_sync_at` has passed (partial index on connected rows), claims them by pushing
 * `next_sync_at` out by a lease in the same statement (so two overlapping crons never enqueue one twice), and
 * sends one sync job each. Returns how many were enqueued.
 */
export async function enqueueDueSyncs(env: Env, now = Date.now()): Promise<number> {
  let enqueued = 0;
  for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
    const results = await claimDueConnections(env.DB, { now, leaseMs: CLAIM_LEASE_MS, limit: CLAIM_PAGE });
    const jobs: SyncJob[] = [];
    for (const row of results) {
      const source = SourceId.safeParse(row.sourceId);
      const spec = source.success ? provider(source.data).sync : undefined;
      if (!source.success || !spec) continue;
      jobs.push(...jobsFor({ id: row.id, userId: row.userId, source: source.data }, spec, "cron", scheduledWindow(spec, readCursor(row.syncCursor), now)));
    }
    await enqueueSyncJobs(env, jobs, now);
    enqueued += jobs.length;
    if (results.length < CLAIM_PAGE) break;
  }
  return enqueued;
}

export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  if (controller.cron === SYNC_CRON) {
    const count = await enqueueDueSyncs(env, controller.scheduledTime);
    console.log(JSON.stringify({ event: "sync_jobs_enqueued", count }));
    // A trickle of the one-time move of D1's health_records into the people's objects (one call per person in a
    // page, so a small page fits the free plan's subrequests); the admin endpoint drives it faster. Its failure
    // must not stop the syncs: it resumes on the next tick.
    await moveHealthRecords(env, { pageSize: 40, maxPages: 1 }).catch((error: unknown) =>
      console.error(JSON.stringify({ event: "records_move_failed", name: error instanceof Error ? error.name : typeof error })),
    );
    // The audit trail's retention, a bounded amount per tick; like the move, it resumes on the next tick.
    await pruneAuditTrail(env.DB, controller.scheduledTime).then(
      (deleted) => console.log(JSON.stringify({ event: "audit_trail_pruned", ...deleted })),
      (error: unknown) => console.error(JSON.stringify({ event: "audit_trail_prune_failed", name: error instanceof Error ? error.name : typeof error })),
    );
    return;
  }
  if (controller.cron === DAILY_CRON) {
    // Provider watches first: an Oura subscription failure must not leave Gmail's watches to lapse.
    const { enqueueWatchRenewals } = await import("../src/sync/watch");
    const watches = await enqueueWatchRenewals(env, controller.scheduledTime);
    console.log(JSON.stringify({ event: "watch_renewals_enqueued", count: watches }));
    const { renewWebhookSubscriptions } = await import("./subscriptions");
    await renewWebhookSubscriptions(env, controller.scheduledTime);
  }
}
