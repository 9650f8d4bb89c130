import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { syncRuns } from "../../src/db/schema";
import { epicSync } from "../../src/providers/epic/sync";
import type { SyncJob } from "../../src/sync/jobs";
import { ENGINE_SUBREQUESTS, runSyncJob, SUBREQUEST_LIMIT } from "../../src/sync/run";
import { connectThroughSandbox, consumeSyncJobs, db, recordingQueue, signIn } from "../helpers";
import { storedCount, storedRecords } from "../records/inspect";

describe("Epic sandbox, offline: connect and the records fill", () => {
  it("backfills labs, conditions and medications in jobs that fit the budget, and a replay writes nothing", async () => {
    const session = await signIn();
    const queue = recordingQueue<SyncJob>();
    const done = await connectThroughSandbox("epic", session, { callbackEnv: { SYNC_QUEUE: queue } });
    expect(done.status).toBe(303);
    expect(queue.sent.length).toBeGreaterThan(1);
    const verdict = await consumeSyncJobs(queue.sent);
    expect(verdict.retryMessages).toEqual([]);
    const runs = await db().select().from(syncRuns).where(eq(syncRuns.userId, session.userId));
    expect(runs.every((run) => run.status === "succeeded")).toBe(true);

    const labs = await storedRecords(session.userId, { source: "epic", kind: "lab_result" });
    const conditions = await storedRecords(session.userId, { source: "epic", kind: "condition" });
    const medications = await storedRecords(session.userId, { source: "epic", kind: "medication" });
    // Six years of quarterly HbA1c, LDL and glucose and yearly TSH, creatinine and hemoglobin.
    expect(labs.length).toBeGreaterThan(80);
    expect(conditions).toHaveLength(6);
    expect(medications).toHaveLength(6);
    const hba1c = labs.filter((row) => JSON.parse(row.data).code?.code === "4548-4");
    expect(hba1c.length).toBeGreaterThanOrEqual(23);
    expect(labs.filter((row) => JSON.parse(row.data).status === "amended")).toHaveLength(1);
    // The FHIR resource is kept as raw, so a later fix to normalize can re-derive the record.
    expect(JSON.parse(conditions[0]!.raw!).resourceType).toBe("Condition");
    const names = medications.map((row) => JSON.parse(row.data).name).sort();
    expect(names).toContain("metformin hydrochloride 500 MG Oral Tablet");
    expect(names).toContain("amoxicillin 500 MG Oral Capsule");

    const total = await storedCount(session.userId, "epic");
    const replay = queue.sent.map((job) => ({ ...job, runId: `${job.runId}-again` }));
    await consumeSyncJobs(replay);
    expect(await storedCount(session.userId, "epic")).toBe(total);
    const again = await db().select().from(syncRuns).where(eq(syncRuns.userId, session.userId));
    const replayRuns = again.filter((run) => run.id.endsWith("-again"));
    expect(replayRuns.every((run) => run.status === "succeeded")).toBe(true);
  });

  it("keeps every backfill job within the requests one invocation may make", async () => {
    expect(epicSync.maxRequestsPerJob).toBeLessThanOrEqual(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS);
    const session = await signIn();
    const queue = recordingQueue<SyncJob>();
    await connectThroughSandbox("epic", session, { callbackEnv: { SYNC_QUEUE: queue } });
    for (const job of queue.sent) {
      const outcome = await runSyncJob(env, job);
      expect(outcome.kind).toBe("done");
      if (outcome.kind === "done") expect(outcome.providerRequests).toBeLessThanOrEqual(epicSync.maxRequestsPerJob);
    }
  });
});
