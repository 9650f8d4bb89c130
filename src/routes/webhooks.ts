import { Hono } from "hono";
import { MalformedPayloadError } from "../domain/records";
import { newId } from "../lib/ids";
import { readLimited } from "../lib/read-limited";
import { PROVIDERS } from "../providers/registry";
import type { ProviderAdapter, WebhookSpec } from "../providers/types";
import type { WebhookJob } from "../sync/jobs";

const BY_PATH = new Map(
  Object.values(PROVIDERS)
    .filter((adapter): adapter is ProviderAdapter & { webhook: WebhookSpec } => adapter.webhook !== undefined)
    .map((adapter) => [adapter.webhook.path, adapter]),
);

/** Events larger than this go to D1 and are referenced from the message (the limit per message is 128 KB). */
const MAX_INLINE_EVENT_BYTES = 100_000;
/** sendBatch takes at most 100 messages and 256 KB in all. */
const BATCH_MESSAGES = 100;
const BATCH_BYTES = 200_000;

/** Queue limits are in bytes: a summary carrying non-ASCII text is larger than its length in characters. */
const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).byteLength;

/** Sends the jobs in as few batches as the limits allow; `sent` collects the webhook event ids already queued. */
async function sendInBatches(queue: Queue, jobs: readonly WebhookJob[], sent: Set<string>): Promise<void> {
  let batch: WebhookJob[] = [];
  let bytes = 0;
  const flush = async () => {
    await queue.sendBatch(batch.map((body): MessageSendRequest<WebhookJob> => ({ body, contentType: "json" })));
    for (const job of batch) sent.add(job.webhookEventId);
    batch = [];
    bytes = 0;
  };
  for (const body of jobs) {
    const size = jsonBytes(body);
    if (batch.length > 0 && (batch.length === BATCH_MESSAGES || bytes + size > BATCH_BYTES)) await flush();
    batch.push(body);
    bytes += size;
  }
  if (batch.length > 0) await flush();
}

const problem = (status: number, detail: string) => Response.json({ error: detail }, { status });

/**
 * Provider webhooks at the edge. The hot path is exactly: size limit, signature (and timestamp window), parse,
 * dedupe by event id (one D1 statement), enqueue (one send), answer. All work happens in the webhook consumer.
 * A rejected request writes nothing and queues nothing.
 */
export function webhookRoutes(options: { now?: () => number } = {}) {
  const clock = options.now ?? Date.now;
  return new Hono<{ Bindings: Env }>().all("/:provider", async (c) => {
    const adapter = BY_PATH.get(c.req.param("provider"));
    if (!adapter) return problem(404, "unknown webhook");
    const spec = adapter.webhook;

    const handshake = await spec.handshake?.(c.req.raw, c.env);
    if (handshake) return handshake;
    if (c.req.method !== "POST") return problem(405, "POST only");

    const raw = await readLimited(c.req.raw, spec.maxBodyBytes);
    if (raw === null) return problem(413, `body larger than ${spec.maxBodyBytes} bytes`);

    const now = clock();
    const verification = await spec.verify(c.req.raw, raw, c.env, now);
    if (!verification.ok) return problem(verification.status, verification.reason);

    let events;
    try {
      events = spec.parse(JSON.parse(new TextDecoder().decode(raw)), now);
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof MalformedPayloadError) return problem(400, "body is not the documented shape");
      throw error;
    }
    if (events.length === 0) return c.body(null, spec.successStatus ?? 200);

    // Dedupe: only events whose (provider, event id) is new are queued; repeats are acknowledged and dropped.
    const rows = events.map((event) => ({ id: newId("whe"), eventId: event.eventId }));
    const inserted = await c.env.DB.prepare(
      `INSERT INTO webhook_events (id, provider, event_id, received_at, status)
       SELECT r.value ->> 'id', ?2, r.value ->> 'eventId', ?3, 'queued' FROM json_each(?1) AS r WHERE true
       ON CONFLICT (provider, event_id) DO NOTHING
       RETURNING id, event_id`,
    )
      .bind(JSON.stringify(rows), spec.path, now)
      .all<{ id: string; event_id: string }>();
    const fresh = new Map(inserted.results.map((row) => [row.event_id, row.id]));
    const sent = new Set<string>();
    try {
      const jobs: WebhookJob[] = [];
      const stored: { id: string; payload: string }[] = [];
      const taken = new Set<string>();
      for (const event of events) {
        const webhookEventId = fresh.get(event.eventId);
        // Not new, or repeated within this very delivery (one row, so one message).
        if (!webhookEventId || taken.has(webhookEventId)) continue;
        taken.add(webhookEventId);
        const job: WebhookJob = { type: "webhook", source: adapter.id, webhookEventId, event };
        if (jsonBytes(job) <= MAX_INLINE_EVENT_BYTES) {
          jobs.push(job);
        } else {
          // Queue messages hold 128 KB: a large event waits in D1 and the message carries its ids.
          stored.push({ id: webhookEventId, payload: JSON.stringify(event) });
          jobs.push({ type: "webhook", source: adapter.id, webhookEventId, storedPayload: true, event: { eventId: event.eventId, externalUserId: event.externalUserId } });
        }
      }
      if (stored.length > 0) {
        // One statement per payload (one round trip in all): D1 bounds each bound value at 2 MB, and one Garmin
        // push can carry many large summaries.
        const update = c.env.DB.prepare("UPDATE webhook_events SET payload = ?2 WHERE id = ?1");
        await c.env.DB.batch(stored.map(({ id, payload }) => update.bind(id, payload)));
      }
      await sendInBatches(c.env.WEBHOOK_QUEUE, jobs, sent);
    } catch (error) {
      // Not queued means not received: forget the dedupe rows of what was not sent, so the provider's retry
      // queues exactly those (what was already sent keeps its row and is not queued twice).
      const unsent = [...fresh.values()].filter((id) => !sent.has(id));
      if (unsent.length > 0) await c.env.DB.prepare("DELETE FROM webhook_events WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(unsent)).run();
      throw error;
    }
    return c.body(null, spec.successStatus ?? 200);
  });
}
