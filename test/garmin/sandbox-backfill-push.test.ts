import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { consumeSyncBatch } from "../../queues/sync-consumer";
import { consumeWebhookBatch } from "../../queues/webhook-consumer";
import { integrationConnections, syncRuns } from "../../src/db/schema";
import type { SyncJob, WebhookJob } from "../../src/sync/jobs";
import { connectThroughSandbox, db, get, recordingQueue, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";

// Built at run time: a plainly fake endpoint token, as configured in Garmin's portal (`?token=`).
const TOKEN = ["garmin", "sandbox", "push", "token"].join("-");

describe("the Garmin sandbox plays Garmin's side of a backfill", () => {
  it("pushes the requested history to /webhooks/garmin, through the real route, and the data lands", async () => {
    const session = await signIn();
    const syncQueue = recordingQueue<SyncJob>();
    await connectThroughSandbox("garmin", session, { callbackEnv: { SYNC_QUEUE: syncQueue } });
    const [job] = syncQueue.sent;
    expect(job).toMatchObject({ action: "request_backfill" });
    const [connection] = await db()
      .select()
      .from(integrationConnections)
      .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "garmin")));

    // The backfill request: the sandbox answers 202 and pushes; the route checks the token and queues every summary.
    const webhookQueue = recordingQueue<WebhookJob>();
    const pushEnv = { ...env, GARMIN_WEBHOOK_SECRET: TOKEN, WEBHOOK_QUEUE: webhookQueue };
    await consumeSyncBatch(createMessageBatch("wellness-sync", [{ id: "b1", timestamp: new Date(), attempts: 1, body: job }]), pushEnv);
    const [run] = await db().select().from(syncRuns).where(eq(syncRuns.id, job!.runId));
    expect(run?.status).toBe("succeeded");

    const pushed = [...webhookQueue.sent];
    const kindOf = (sent: WebhookJob) => sent.event.pages?.[0]?.kind;
    const count = (kind: string) => pushed.filter((sent) => kindOf(sent) === kind).length;
    // 30 days recorded before now: about 30 dailies, 30 nights and 96 epochs a day, each for this person's Garmin id.
    // A day reaches Garmin at the watch's next morning sync (06:30–09:30 local, in the person's random time zone), so
    // before that sync the last day or two are not uploaded yet: 28 to 31, by the hour of the run.
    expect(count("dailies")).toBeGreaterThanOrEqual(28);
    expect(count("dailies")).toBeLessThanOrEqual(31);
    expect(count("sleeps")).toBeGreaterThanOrEqual(28);
    expect(count("epochs")).toBeGreaterThanOrEqual(28 * 96);
    expect(pushed.every((sent) => sent.source === "garmin" && sent.event.externalUserId === connection!.externalUserId)).toBe(true);

    // The webhook consumer stores what the pushes carried (dailies and sleeps; epochs carry no record kind yet). One
    // invocation stores what its subrequests allow and sends the rest back to the queue, delivered here as the queue
    // would, until nothing is left.
    let batch = pushed.filter((sent) => kindOf(sent) !== "epochs");
    for (let invocation = 0; batch.length > 0; invocation++) {
      expect(invocation, "every push stored within a few invocations").toBeLessThan(10);
      const sentBefore = webhookQueue.sent.length;
      await consumeWebhookBatch(
        createMessageBatch(
          "wellness-webhooks",
          batch.map((body, i) => ({ id: `w${invocation}-${i}`, timestamp: new Date(), attempts: 1, body })),
        ),
        pushEnv,
      );
      batch = webhookQueue.sent.slice(sentBefore);
    }
    const activity = await storedRecords(session.userId, { source: "garmin", kind: "daily_activity" });
    const sleep = await storedRecords(session.userId, { source: "garmin", kind: "daily_sleep" });
    expect(activity.length).toBe(count("dailies"));
    expect(sleep.length).toBe(count("sleeps"));

    // The card and the detail page now show data, not "Not synced yet" and empty charts.
    const detail = await (await get("/settings/connections/garmin", session)).text();
    expect(detail).toMatch(/aria-label="Sleep score: 1[0-4] of 14 days measured/);
    expect(detail).toMatch(/aria-label="Steps: 1[0-4] of 14 days measured/);
    // The backfill run only asked; its row says so instead of "0 records".
    expect(detail).toContain("<td>Asked Garmin to send the last 30 days</td>");
    expect(detail).toContain("sent by Garmin separately");
  }, 60_000);
});
