import { eq } from "drizzle-orm";
import { database } from "../src/db/client";
import { updateConnectionStatus } from "../src/db/connections";
import { syncRuns } from "../src/db/schema";
import { catalogEntry } from "../src/domain/catalog";
import { QueueJob } from "../src/sync/jobs";
import { giveUpEvent, ledgerProvider } from "../src/sync/webhook-events";

const RETRY_AFTER_DEAD_LETTER_MS = 60 * 60_000;

/**
 * Jobs that failed on every attempt. Nothing is dropped silently: the sync run is marked failed and the
 * connection shows `error` with a reason the person can read (and the next scheduled sync tries again); a
 * webhook that could not be processed is marked failed for the runbook.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const parsed = QueueJob.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ event: "dead_letter_unreadable", id: message.id }));
      message.ack();
      continue;
    }
    const job = parsed.data;
    if (job.type === "sync") {
      const name = catalogEntry(job.source).name;
      const reason = `Syncing ${name} kept failing, so recent data may be missing. Wellness OS will keep trying; reconnect if this stays.`;
      const [run] = await db.select({ error: syncRuns.error }).from(syncRuns).where(eq(syncRuns.id, job.runId)).limit(1);
      await db
        .update(syncRuns)
        .set({ status: "failed", finishedAt: Date.now(), error: run?.error ?? "gave up after the last retry" })
        .where(eq(syncRuns.id, job.runId));
      // Only a healthy connection turns to `error`; one that needs reconnecting already says so. It stays
      // scheduled: `error` stays visible, and the next success turns it back to connected.
      await updateConnectionStatus(db, job.userId, { connectionId: job.connectionId }, "error", reason, {
        onlyFrom: ["connected"],
        nextSyncAt: Date.now() + RETRY_AFTER_DEAD_LETTER_MS,
      });
      console.error(JSON.stringify({ event: "sync_dead_lettered", source: job.source, trigger: job.trigger }));
    } else {
      // A large event's R2 object is kept for the runbook (the bucket's lifecycle rule removes it in time).
      await giveUpEvent(
        env.DB,
        { provider: ledgerProvider(job.source), eventId: job.event.eventId, receivedAt: +message.timestamp },
        "gave up after the last retry",
      );
      console.error(JSON.stringify({ event: "webhook_dead_lettered", source: job.source }));
    }
    message.ack();
  }
}
