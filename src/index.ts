import { consumeDeadLetters } from "../queues/dead-letter-consumer";
import { scheduled } from "../queues/scheduler";
import { consumeSyncBatch } from "../queues/sync-consumer";
import { consumeWebhookBatch } from "../queues/webhook-consumer";
import { createApp } from "./app";

export { UserHub } from "../durable-objects/user-hub";

const app = createApp();

/** Queue name → consumer (names as in wrangler.toml). */
const CONSUMERS: Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>> = {
  "wellness-sync": (batch, env) => consumeSyncBatch(batch, env),
  "wellness-webhooks": (batch, env) => consumeWebhookBatch(batch, env),
  "wellness-dead-letter": consumeDeadLetters,
};

export default {
  fetch: app.fetch,
  scheduled,
  async queue(batch, env) {
    const consume = CONSUMERS[batch.queue];
    if (!consume) {
      // A queue without a consumer in this version (receipts arrive with their own issue): keep the messages.
      console.error(JSON.stringify({ event: "queue_without_consumer", queue: batch.queue, messages: batch.messages.length }));
      batch.retryAll({ delaySeconds: 3600 });
      return;
    }
    await consume(batch, env);
  },
} satisfies ExportedHandler<Env, unknown>;
