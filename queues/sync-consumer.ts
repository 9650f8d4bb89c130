import { newId } from "../src/lib/ids";
import { SyncJob } from "../src/sync/jobs";
import { backoffSeconds, runSyncJob, type SyncDeps } from "../src/sync/run";
import { enqueueSyncJobs } from "../src/sync/schedule";

/**
 * The sync queue's consumer. Each message is one window of one connection; the queue's retry settings and
 * dead-letter queue (wrangler.toml) do the rest: a transient failure is retried with the delay the provider asked
 * for (Retry-After) or exponential backoff, and after the last attempt the job lands in the dead-letter queue.
 */
export async function consumeSyncBatch(batch: MessageBatch<unknown>, env: Env, deps: SyncDeps = {}): Promise<void> {
  for (const message of batch.messages) {
    const parsed = SyncJob.safeParse(message.body);
    if (!parsed.success) {
      // Not a job this code can run: retrying it cannot help.
      console.error(JSON.stringify({ event: "sync_job_invalid", id: message.id }));
      message.ack();
      continue;
    }
    const job = parsed.data;
    try {
      const outcome = await runSyncJob(env, job, { ...deps, attempt: message.attempts });
      switch (outcome.kind) {
        case "retry":
          message.retry({ delaySeconds: outcome.delaySeconds });
          break;
        case "split":
          await enqueueSyncJobs(
            env,
            outcome.windows.map((window) => ({ ...job, window, runId: newId("run") })),
          );
          message.ack();
          break;
        case "done":
          // What each job cost: the benchmark and the capacity notes read these lines.
          console.log(
            JSON.stringify({
              event: "sync_job_done",
              runId: job.runId,
              source: job.source,
              trigger: job.trigger,
              status: outcome.status,
              written: outcome.written,
              inserted: outcome.inserted,
              unchanged: outcome.unchanged,
              skipped: outcome.skipped,
              providerRequests: outcome.providerRequests,
              d1RoundTrips: outcome.d1RoundTrips,
            }),
          );
          message.ack();
          break;
        default:
          message.ack();
      }
    } catch (error) {
      console.error(
        JSON.stringify({ event: "sync_job_error", source: job.source, trigger: job.trigger, error: error instanceof Error ? error.name : "unknown" }),
      );
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}
