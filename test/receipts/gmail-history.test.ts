import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { recordSyncSuccess } from "../../src/db/connections";
import { integrationConnections } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { GMAIL_RESCAN_DAYS } from "../../src/providers/gmail/sync";
import type { SyncJob } from "../../src/sync/jobs";
import { runSyncJob } from "../../src/sync/run";
import { readCursor } from "../../src/sync/schedule";
import { connectThroughSandbox, recordingQueue, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";

const DAY = 86_400_000;

async function connection(userId: string) {
  const [row] = await database(env.DB)
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, "gmail")));
  if (!row) throw new Error("no gmail connection");
  return row;
}

/** Connected through the sandbox (the backfill left unrun), with `historyId` stored as the connection's resume point. */
async function connectedAt(historyId: string) {
  const session = await signIn();
  await connectThroughSandbox("gmail", session, { callbackEnv: { SYNC_QUEUE: recordingQueue() } });
  const row = await connection(session.userId);
  const now = Date.now();
  await recordSyncSuccess(
    database(env.DB),
    { connectionId: row.id, userId: session.userId },
    { now, syncCursor: JSON.stringify({ syncedThrough: now - 3_600_000, state: historyId }) },
  );
  const cron: SyncJob = {
    type: "sync",
    connectionId: row.id,
    userId: session.userId,
    source: "gmail",
    trigger: "cron",
    window: { start: now - 2 * DAY, end: now },
    runId: newId("run"),
  };
  return { userId: session.userId, row, cron };
}

// The sandbox mailbox's newest message has historyId 424242 and each older one one less
// (src/providers/gmail/sandbox.ts); the three newest are receipts (Green Basket, Verdant Vitamins, Sonnenkorn).
describe("Gmail incremental reading with history.list", () => {
  it("reads only the messages added since the stored historyId and stores the mailbox's new historyId", async () => {
    const { userId, cron } = await connectedAt("424239");
    const outcome = await runSyncJob(env, cron);
    expect(outcome).toMatchObject({ kind: "done", status: "succeeded" });
    // One history page and one messages.get for each of the three new messages: no list, no older message.
    if (outcome.kind === "done") expect(outcome.providerRequests).toBe(4);
    const receipts = await storedRecords(userId, { source: "gmail", kind: "receipt" });
    expect(receipts.map((r) => r.external_id).sort()).toEqual(["18f3a2b00c0ffee", "18f3a49efc0ffee", "18f3a68dec0ffee"]);
    expect(readCursor((await connection(userId)).syncCursor).state).toBe("424242");

    // Nothing new since: one history call, nothing fetched.
    const again = await runSyncJob(env, { ...cron, runId: newId("run") });
    if (again.kind === "done") expect(again.providerRequests).toBe(1);
  });

  it("a historyId Gmail no longer has (404) forgets it and queues a bounded rescan that stores a fresh one", async () => {
    const { userId, cron } = await connectedAt("17");
    const queue = recordingQueue<SyncJob>();
    const outcome = await runSyncJob({ ...env, SYNC_QUEUE: queue }, cron);
    expect(outcome.kind).toBe("done");
    expect(readCursor((await connection(userId)).syncCursor).state).toBeUndefined();
    expect(await storedRecords(userId, { source: "gmail" })).toEqual([]);

    const rescan = queue.sent.filter((job) => job.userId === userId);
    expect(rescan.length).toBeGreaterThan(0);
    expect(rescan.every((job) => job.trigger === "backfill")).toBe(true);
    const span = rescan.reduce((sum, job) => sum + (job.window.end - job.window.start), 0);
    expect(span).toBeGreaterThan((GMAIL_RESCAN_DAYS - 1) * DAY);
    expect(span).toBeLessThanOrEqual(GMAIL_RESCAN_DAYS * DAY);

    for (const job of rescan) expect((await runSyncJob(env, job)).kind).toBe("done");
    // The messages of the last 30 days (3, 12, 21 and 30 days old: four receipts), not the older ones, and the
    // mailbox's historyId to go on from.
    expect((await storedRecords(userId, { source: "gmail", kind: "receipt" })).map((r) => r.external_id).sort()).toEqual([
      "18f3a2b00c0ffee",
      "18f3a49efc0ffee",
      "18f3a68dec0ffee",
      "18f3a87cdc0ffee",
    ]);
    expect(readCursor((await connection(userId)).syncCursor).state).toBe("424242");
  });
});
