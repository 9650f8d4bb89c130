import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inArray } from "drizzle-orm";
import { expect, it } from "vitest";
import { consumeWebhookBatch } from "../../queues/webhook-consumer";
import { createApp } from "../../src/app";
import { webhookEvents } from "../../src/db/schema";
import garminDailies from "../../src/providers/garmin/fixtures/dtu-push-dailies.json";
import type { SyncJob, WebhookJob } from "../../src/sync/jobs";
import { db, recordingQueue } from "../helpers";

// Issue 12, item 9: Garmin summaries without a summaryId were keyed by receipt time and position, so a retried
// push was never a duplicate (two identical pushes gave 6 extra rows). They are now keyed by person and content.
const SECRET = "garmin-endpoint-secret-for-content-keys";

async function push(body: unknown): Promise<WebhookJob[]> {
  const queue = recordingQueue<WebhookJob>();
  const response = await createApp().fetch(
    new Request(`https://integrations.wellness-os.example/webhooks/garmin?token=${SECRET}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
    { ...env, GARMIN_WEBHOOK_SECRET: SECRET, WEBHOOK_QUEUE: queue },
    createExecutionContext(),
  );
  expect(response.status).toBe(200);
  const batch = createMessageBatch(
    "wellness-webhooks",
    queue.sent.map((job, i) => ({ id: `push-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: job })),
  );
  await consumeWebhookBatch(batch, { ...env, SYNC_QUEUE: recordingQueue<SyncJob>() });
  await getQueueResult(batch, createExecutionContext());
  return queue.sent;
}

it("two identical pushes of summaries without a summaryId add no rows the second time", async () => {
  // Garmin's published push example (fixtures/dtu-push-dailies.json), three times over for three days, each
  // without its summaryId, for a person of this test's own.
  const userId = `garmin-${crypto.randomUUID()}`;
  const { summaryId: _, ...daily } = garminDailies.dailies[0]!;
  const body = { dailies: [0, 1, 2].map((day) => ({ ...daily, userId, startTimeInSeconds: daily.startTimeInSeconds + day * 86_400 })) };

  const first = await push(body);
  const second = await push(body);
  expect(first).toHaveLength(3);
  expect(second.map((job) => job.event.eventId)).toEqual(first.map((job) => job.event.eventId));
  const rows = await db()
    .select()
    .from(webhookEvents)
    .where(
      inArray(
        webhookEvents.eventId,
        [...first, ...second].map((job) => job.event.eventId),
      ),
    );
  expect(rows).toHaveLength(3);
});
