import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { consumeWebhookBatch } from "../../queues/webhook-consumer";
import { createApp } from "../../src/app";
import { integrationConnections } from "../../src/db/schema";
import fitbitSteps from "../../src/providers/fitbit/fixtures/notification-steps-upsert.webhooks-page.json";
import type { SyncJob, WebhookJob } from "../../src/sync/jobs";
import { connectThroughSandbox, db, recordingQueue, signIn } from "../helpers";

// Issue 12, item 9: Google Health's deregistration (a DELETE naming no data) carries no id and no time, so its
// dedupe key was the same every time: after a person reconnected, their next deregistration was dropped as a
// duplicate and the connection stayed `connected`. The key now includes when it was received.
const SECRET = "Bearer google-health-secret-for-reconnect";

async function status(userId: string) {
  const [row] = await db()
    .select({ status: integrationConnections.status, externalUserId: integrationConnections.externalUserId })
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, "fitbit")));
  return row!;
}

/** The documented notification (fixtures/notification-steps-upsert.webhooks-page.json) as a DELETE with no data. */
async function deregister(healthUserId: string) {
  const queue = recordingQueue<WebhookJob>();
  const body = { data: { ...fitbitSteps.data, healthUserId, operation: "DELETE", intervals: [] } };
  const response = await createApp().fetch(
    new Request("https://integrations.wellness-os.example/webhooks/google-health", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: SECRET },
      body: JSON.stringify(body),
    }),
    { ...env, GOOGLE_HEALTH_WEBHOOK_SECRET: SECRET, WEBHOOK_QUEUE: queue },
    createExecutionContext(),
  );
  expect(response.status).toBe(204);
  const batch = createMessageBatch(
    "wellness-webhooks",
    queue.sent.map((job, i) => ({ id: `dereg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: job })),
  );
  const ctx = createExecutionContext();
  await consumeWebhookBatch(batch, { ...env, SYNC_QUEUE: recordingQueue<SyncJob>() });
  await getQueueResult(batch, ctx);
  await waitOnExecutionContext(ctx);
  return queue.sent.map((job) => job.event.eventId);
}

it("a second deregistration after the person reconnected disconnects them again", async () => {
  const session = await signIn();
  const backfill = { callbackEnv: { SYNC_QUEUE: recordingQueue<SyncJob>() } };
  expect((await connectThroughSandbox("fitbit", session, backfill)).status).toBe(303);
  const { externalUserId } = await status(session.userId);

  const [first] = await deregister(externalUserId!);
  expect((await status(session.userId)).status).toBe("disconnected");

  expect((await connectThroughSandbox("fitbit", session, backfill)).status).toBe(303);
  expect(await status(session.userId)).toEqual({ status: "connected", externalUserId });

  const [second] = await deregister(externalUserId!);
  expect(second).not.toBe(first);
  expect((await status(session.userId)).status).toBe("disconnected");
});
