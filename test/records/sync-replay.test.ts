import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { syncRuns } from "../../src/db/schema";
import type { SyncJob } from "../../src/sync/jobs";
import { connectThroughSandbox, consumeSyncJobs, db, recordingQueue, signIn } from "../helpers";
import { storedRecords } from "./inspect";

it("a sandbox Oura backfill lands in the person's UserHub, and replaying it writes 0 rows", async () => {
  const session = await signIn();
  const queue = recordingQueue<SyncJob>();
  await connectThroughSandbox("oura", session, { callbackEnv: { SYNC_QUEUE: queue } });
  await consumeSyncJobs(queue.sent);

  const stored = await storedRecords(session.userId, { source: "oura" });
  const runs = await db().select().from(syncRuns).where(eq(syncRuns.userId, session.userId));
  expect(stored.length).toBeGreaterThan(100);
  expect(stored.length).toBe(runs.reduce((sum, run) => sum + run.recordsUpserted, 0));

  await consumeSyncJobs(queue.sent.map((job) => ({ ...job, runId: `${job.runId}-replay` })));
  const replays = (await db().select().from(syncRuns).where(eq(syncRuns.userId, session.userId))).filter((run) => run.id.endsWith("-replay"));
  expect(replays.map((run) => [run.status, run.recordsUpserted])).toEqual(queue.sent.map(() => ["succeeded", 0]));
  const after = await storedRecords(session.userId, { source: "oura" });
  expect(after).toEqual(stored);
}, 30_000);
