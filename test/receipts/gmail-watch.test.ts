import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DAILY_CRON, scheduled } from "../../queues/scheduler";
import { disconnect } from "../../src/connections/disconnect";
import { database } from "../../src/db/client";
import { integrationConnections } from "../../src/db/schema";
import { sandboxWatches } from "../../src/providers/gmail/sandbox";
import type { SyncJob } from "../../src/sync/jobs";
import { runSyncJob } from "../../src/sync/run";
import { connectThroughSandbox, recordingQueue, signIn } from "../helpers";

async function gmailConnection(userId: string) {
  const [row] = await database(env.DB)
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, "gmail")));
  if (!row?.externalUserId) throw new Error("no gmail connection");
  return row as typeof row & { externalUserId: string };
}

describe("Gmail users.watch", () => {
  it("starts after connect, is renewed by the daily cron and stopped by disconnect", async () => {
    const session = await signIn();
    const queue = recordingQueue<SyncJob>();
    await connectThroughSandbox("gmail", session, { callbackEnv: { SYNC_QUEUE: queue } });
    const { externalUserId } = await gmailConnection(session.userId);
    const [started] = queue.sent.filter((job) => job.userId === session.userId && job.action === "watch");
    if (!started) throw new Error("connecting queued no watch job");

    expect(sandboxWatches.has(externalUserId)).toBe(false);
    expect((await runSyncJob(env, started)).kind).toBe("done");
    const first = sandboxWatches.get(externalUserId);
    expect(first?.topicName).toBe(env.GMAIL_PUBSUB_TOPIC);

    // The daily cron queues a renewal (no provider call of its own); the renewal replaces the watch.
    const cronQueue = recordingQueue<SyncJob>();
    await scheduled({ cron: DAILY_CRON, scheduledTime: Date.now(), noRetry() {} } as ScheduledController, { ...env, SYNC_QUEUE: cronQueue });
    const renewals = cronQueue.sent.filter((job) => job.userId === session.userId);
    expect(renewals.map((job) => [job.action, job.trigger])).toEqual([["watch", "cron"]]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const job of renewals) expect((await runSyncJob(env, job)).kind).toBe("done");
    expect(sandboxWatches.get(externalUserId)?.expiration).toBeGreaterThan(first?.expiration ?? Number.POSITIVE_INFINITY);

    await disconnect(env, database(env.DB), session.userId, "gmail", { revokeAtProvider: true, deleteData: false, reason: null });
    expect(sandboxWatches.has(externalUserId)).toBe(false);
  });
});
