import { Hono } from "hono";
import { MalformedPayloadError } from "../domain/records";
import { parseBoundedJson } from "../lib/bounded-json";
import { readLimited } from "../lib/read-limited";
import { PROVIDERS } from "../providers/registry";
import type { ProviderAdapter, WebhookEvent, WebhookSpec } from "../providers/types";
import type { WebhookJob } from "../sync/jobs";
import { MAX_INLINE_EVENT_BYTES, payloadKey, storePayload } from "../sync/webhook-payloads";

const BY_PATH = new Map(
  Object.values(PROVIDERS)
    .filter((adapter): adapter is ProviderAdapter & { webhook: WebhookSpec } => adapter.webhook !== undefined)
    .map((adapter) => [adapter.webhook.path, adapter]),
);

/** sendBatch takes at most 100 messages and 256 KB in all. */
const BATCH_MESSAGES = 100;
const BATCH_BYTES = 200_000;
/** When the queue (or R2) refuses, the provider is asked to retry: nothing was accepted. */
const RETRY_AFTER_SECONDS = 60;

/** Queue limits are in bytes: a summary carrying non-ASCII text is larger than its length in characters. */
const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).byteLength;

interface Sized {
  body: WebhookJob;
  bytes: number;
}

/** Sends the jobs in as few batches as the limits allow. */
async function sendInBatches(queue: Queue, jobs: readonly Sized[]): Promise<void> {
  let batch: MessageSendRequest<WebhookJob>[] = [];
  let bytes = 0;
  for (const job of jobs) {
    if (batch.length > 0 && (batch.length === BATCH_MESSAGES || bytes + job.bytes > BATCH_BYTES)) {
      await queue.sendBatch(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ body: job.body, contentType: "json" });
    bytes += job.bytes;
  }
  if (batch.length > 0) await queue.sendBatch(batch);
}

/** The delivery's events as messages; an event too large for a message is put in R2 and its message points to it. */
async function jobsFor(env: Env, adapter: ProviderAdapter & { webhook: WebhookSpec }, events: readonly WebhookEvent[]): Promise<Sized[]> {
  const unique = new Map(events.map((event) => [event.eventId, event]));
  return Promise.all(
    [...unique.values()].map(async (event): Promise<Sized> => {
      const inline: WebhookJob = { type: "webhook", source: adapter.id, event };
      const bytes = jsonBytes(inline);
      if (bytes <= MAX_INLINE_EVENT_BYTES) return { body: inline, bytes };
      const key = await payloadKey(adapter.webhook.path, event.eventId);
      await storePayload(env.WEBHOOK_PAYLOADS, key, event);
      const pointer: WebhookJob = {
        type: "webhook",
        source: adapter.id,
        payloadKey: key,
        event: { eventId: event.eventId, externalUserId: event.externalUserId },
      };
      return { body: pointer, bytes: jsonBytes(pointer) };
    }),
  );
}

const problem = (status: number, detail: string) => Response.json({ error: detail }, { status });

/**
 * Provider webhooks at the edge. The hot path is exactly: what can be authenticated without the body (a URL or
 * header secret), size limit, signature over the body (and timestamp window), bounded parse, enqueue (one send; an
 * event too large for a message first goes to R2), answer. No D1: the webhook consumer
 * dedupes by event id and does all the work, so a provider's redelivery is simply queued again. A rejected
 * request writes nothing and queues nothing.
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

    const now = clock();
    // Before the body: a sender without the URL or header secret is refused without a byte of it being read.
    const authorized = (await spec.verifyRequest?.(c.req.raw, c.env, now)) ?? { ok: true };
    if (!authorized.ok) return problem(authorized.status, authorized.reason);

    const raw = await readLimited(c.req.raw, spec.maxBodyBytes);
    if (raw === null) return problem(413, `body larger than ${spec.maxBodyBytes} bytes`);

    const verification = await spec.verify(c.req.raw, raw, c.env, now);
    if (!verification.ok) return problem(verification.status, verification.reason);

    // JSON bodies have their nesting bounded before parsing; a provider's own decoding (Withings' flat form) has none.
    let body: unknown;
    if (spec.decode) body = undefined;
    else {
      const json = parseBoundedJson(raw);
      if (!json.ok) return problem(json.status, json.reason);
      body = json.value;
    }
    let events: ReturnType<typeof spec.parse>;
    try {
      events = spec.parse(spec.decode ? spec.decode(raw) : body, now, c.req.raw.headers);
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof MalformedPayloadError) return problem(400, "body is not the documented shape");
      throw error;
    }
    if (events.length === 0) return c.body(null, spec.successStatus ?? 200);

    try {
      await sendInBatches(c.env.WEBHOOK_QUEUE, await jobsFor(c.env, adapter, events));
    } catch (error) {
      // Not queued means not received: the provider retries the whole delivery, and the consumer drops whatever of
      // it was already queued. A payload already put in R2 is overwritten by the retry (same key).
      console.error(JSON.stringify({ event: "webhook_enqueue_failed", provider: spec.path, error: error instanceof Error ? error.name : "unknown" }));
      return c.json({ error: "could not accept the notification just now; retry" }, 503, { "Retry-After": String(RETRY_AFTER_SECONDS) });
    }
    return c.body(null, spec.successStatus ?? 200);
  });
}
