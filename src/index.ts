import { consumeDeadLetters } from "../queues/dead-letter-consumer";
import { scheduled } from "../queues/scheduler";
import { consumeSyncBatch } from "../queues/sync-consumer";
import { consumeWebhookBatch } from "../queues/webhook-consumer";
import { createApp } from "./app";
import { D1Meter } from "./db/metered";

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
    // What the batch cost (one job on the sync queue): the capacity figures come from these lines.
    const meter = new D1Meter(env.DB);
    const started = Date.now();
    try {
      await consume(batch, { ...env, DB: meter.database });
    } finally {
      const { statements, rowsRead, rowsWritten } = meter.usage;
      console.log(
        JSON.stringify({
          event: "queue_batch_cost",
          queue: batch.queue,
          messages: batch.messages.length,
          ms: Date.now() - started,
          d1Statements: statements,
          d1RowsRead: rowsRead,
          d1RowsWritten: rowsWritten,
        }),
      );
    }
  },
} satisfies ExportedHandler<Env, unknown>;
