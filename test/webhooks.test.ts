import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import fitbitBatch from "../src/providers/fitbit/fixtures/notification-batch.reported-live-shape.json";
import fitbitSteps from "../src/providers/fitbit/fixtures/notification-steps-upsert.webhooks-page.json";
import garminDailies from "../src/providers/garmin/fixtures/dtu-push-dailies.json";
import garminEpochs from "../src/providers/garmin/fixtures/dtu-push-epochs.json";
import garminPing from "../src/providers/garmin/fixtures/health-api-ping-epochs.json";
import ouraTagEvent from "../src/providers/oura/fixtures/webhook-event.docs-1.11.json";
import ouraEvent from "../src/providers/oura/fixtures/webhook-event.docs-current.json";
import { PROVIDERS } from "../src/providers/registry";
import whoopSleepUpdated from "../src/providers/whoop/fixtures/webhook-sleep-updated-v2.json";
import type { WebhookJob } from "../src/sync/jobs";
import { countingD1 } from "./helpers";

/**
 * The webhook endpoint through the real app (`createApp().fetch`), with real local D1 and R2 and a queue binding that
 * records what would be queued. The endpoint writes nothing to D1 (the consumer dedupes): every call counts the
 * statements it ran. Every body is a provider's published example (only its ids made unique to the
 * test), signed the way the provider documents it, computed here with WebCrypto, independently of the code under
 * test.
 */

const ORIGIN = "https://integrations.wellness-os.example";
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Cloudflare Queues: 128 KB per message, 100 messages and 256 KB per sendBatch. */
const QUEUE_MESSAGE_BYTES = 128 * 1024;

const SECRETS = {
  OURA_CLIENT_SECRET: "test-only-oura-wh",
  OURA_WEBHOOK_VERIFICATION_TOKEN: "oura-verification-token-for-tests",
  WHOOP_CLIENT_SECRET: "test-only-whoop-wh",
  // Google sends the subscriber's endpointAuthorization.secret back verbatim, scheme included.
  GOOGLE_HEALTH_WEBHOOK_SECRET: "Bearer google-health-subscriber-secret-for-tests",
  GARMIN_WEBHOOK_SECRET: "garmin-endpoint-secret-for-webhook-tests",
};

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

// ---------------------------------------------------------------------------------------------------------------
// A queue binding that records each send as it is made, and can be told to fail a given send.

class RecordingQueue {
  readonly batches: MessageSendRequest<WebhookJob>[][] = [];
  private calls = 0;
  constructor(private readonly failing: ReadonlySet<number> = new Set()) {}

  async send(body: WebhookJob, options?: QueueSendOptions): Promise<void> {
    this.attempt();
    this.batches.push([{ body, ...options }]);
  }

  async sendBatch(messages: Iterable<MessageSendRequest<WebhookJob>>): Promise<void> {
    this.attempt();
    const batch = [...messages];
    // What Cloudflare would refuse, refused here too, so a test cannot pass on a send that production rejects.
    if (batch.length > 100) throw new Error(`sendBatch of ${batch.length} messages`);
    if (batch.some((message) => bytes(JSON.stringify(message.body)) > QUEUE_MESSAGE_BYTES)) throw new Error("message larger than 128 KB");
    this.batches.push(batch);
  }

  /** The n-th send (1-based) throws, as a queue outage would. */
  private attempt(): void {
    this.calls++;
    if (this.failing.has(this.calls)) throw new Error("queue unavailable");
  }

  get jobs(): WebhookJob[] {
    return this.batches.flat().map((message) => message.body);
  }

  get binding(): Queue {
    return this as unknown as Queue;
  }
}

async function call(request: Request, options: { queue?: RecordingQueue; now?: number; secrets?: Partial<typeof SECRETS> } = {}) {
  const queue = options.queue ?? new RecordingQueue();
  const now = options.now ?? Date.now();
  const ctx = createExecutionContext();
  const d1 = countingD1(env.DB);
  const bindings = { ...env, ...SECRETS, ...options.secrets, DB: d1.binding, WEBHOOK_QUEUE: queue.binding } as Env;
  const response = await createApp({ webhooks: { now: () => now } }).fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return { response, queue, d1Statements: d1.statements() };
}

/** The R2 object a queued message points to, as JSON. */
async function storedPayload(job: WebhookJob): Promise<unknown> {
  const object = await env.WEBHOOK_PAYLOADS.get(job.payloadKey!);
  return object ? object.json() : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Signatures, computed as each provider documents them.

async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
}
const upperHex = (data: Uint8Array) =>
  [...data]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
const base64 = (data: Uint8Array) => btoa(String.fromCharCode(...data));

/** Oura: x-oura-signature = uppercase hex HMAC-SHA256(client secret, x-oura-timestamp + body). */
async function ouraHeaders(body: string, options: { secret?: string; timestamp?: number } = {}) {
  const timestamp = String(options.timestamp ?? Date.now());
  return { "x-oura-timestamp": timestamp, "x-oura-signature": upperHex(await hmacSha256(options.secret ?? SECRETS.OURA_CLIENT_SECRET, timestamp + body)) };
}

/** WHOOP: X-WHOOP-Signature = base64 HMAC-SHA256(client secret, X-WHOOP-Signature-Timestamp + raw body), ms timestamp. */
async function whoopHeaders(body: string, options: { secret?: string; timestamp?: number } = {}) {
  const timestamp = String(options.timestamp ?? Date.now());
  return {
    "X-WHOOP-Signature-Timestamp": timestamp,
    "X-WHOOP-Signature": base64(await hmacSha256(options.secret ?? SECRETS.WHOOP_CLIENT_SECRET, timestamp + body)),
  };
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return new Request(`${ORIGIN}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
}

/**
 * A body sent chunked, as a client that omits Content-Length (or lies in it) sends it: `text`, then `trailing`
 * bytes of whitespace, produced as they are pulled. The meter counts what the endpoint pulled.
 */
function chunked(text: string, trailing = 0, chunkBytes = 16 * 1024) {
  const head = new TextEncoder().encode(text);
  const total = head.byteLength + trailing;
  const meter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (meter.pulled >= total) return controller.close();
      const size = Math.min(chunkBytes, total - meter.pulled);
      const chunk = new Uint8Array(size).fill(0x20);
      if (meter.pulled < head.byteLength) chunk.set(head.subarray(meter.pulled, meter.pulled + size));
      meter.pulled += size;
      controller.enqueue(chunk);
    },
  });
  return { stream, meter };
}

// ---------------------------------------------------------------------------------------------------------------
// The providers that push, each with its published example and what it must become.

interface ProviderCase {
  name: string;
  /** webhook_events.provider, and the path under /webhooks. */
  path: string;
  source: WebhookJob["source"];
  status: number;
  /** The published example with its ids made unique by `tag`. */
  example(tag: string): unknown;
  /** A correctly signed delivery of `body` (any bytes), as the provider sends it. */
  deliver(body: string, now: number): Promise<{ path: string; headers: Record<string, string> }>;
  /** The events the example must queue. */
  expected(tag: string, now: number): WebhookJob["event"][];
  /** Deliveries that must be refused with 401: wrong secret, tampering, stale timestamps, missing credentials. */
  forgeries(body: string, now: number): Promise<[label: string, request: Request][]>;
  /** Valid JSON, correctly signed, but not the documented notification. */
  wrongShape: unknown;
}

const CASES: ProviderCase[] = [
  {
    name: "Oura",
    path: "oura",
    source: "oura",
    status: 200,
    example: (tag) => ({ ...ouraEvent, object_id: `${ouraEvent.object_id}-${tag}` }),
    deliver: async (body, now) => ({ path: "/webhooks/oura", headers: await ouraHeaders(body, { timestamp: now }) }),
    expected: (tag) => [
      {
        eventId: `sleep:12345abc-${tag}:update:2023-01-01T08:00:00+00:00`,
        externalUserId: "user123",
        // The night is filed under the wake-up day, so the day before the event is re-pulled too.
        window: { start: Date.UTC(2022, 11, 31), end: Date.UTC(2023, 0, 2) },
        kinds: ["sleep"],
      },
    ],
    forgeries: async (body, now) => [
      ["signed with another secret", post("/webhooks/oura", body, await ouraHeaders(body, { timestamp: now, secret: "someone-elses-secret" }))],
      ["a body changed after signing", post("/webhooks/oura", body.replace("user123", "user124"), await ouraHeaders(body, { timestamp: now }))],
      ["a timestamp 5 minutes and 1 second old", post("/webhooks/oura", body, await ouraHeaders(body, { timestamp: now - 5 * MINUTE_MS - 1000 }))],
      ["a timestamp 6 minutes ahead", post("/webhooks/oura", body, await ouraHeaders(body, { timestamp: now + 6 * MINUTE_MS }))],
      ["no signature headers", post("/webhooks/oura", body)],
    ],
    wrongShape: { ...ouraEvent, user_id: undefined, event_type: "upsert" },
  },
  {
    name: "WHOOP",
    path: "whoop",
    source: "whoop",
    status: 200,
    example: (tag) => ({ ...whoopSleepUpdated, trace_id: tag }),
    deliver: async (body, now) => ({ path: "/webhooks/whoop", headers: await whoopHeaders(body, { timestamp: now }) }),
    // WHOOP says what changed but not when: the member's last two days are re-pulled; trace_id is the dedupe key.
    expected: (tag, now) => [{ eventId: tag, externalUserId: "456", window: { start: now - 2 * DAY_MS, end: now } }],
    forgeries: async (body, now) => [
      ["signed with another secret", post("/webhooks/whoop", body, await whoopHeaders(body, { timestamp: now, secret: "someone-elses-secret" }))],
      ["a body changed after signing", post("/webhooks/whoop", body.replace('"user_id":456', '"user_id":457'), await whoopHeaders(body, { timestamp: now }))],
      ["a timestamp 5 minutes and 1 second old", post("/webhooks/whoop", body, await whoopHeaders(body, { timestamp: now - 5 * MINUTE_MS - 1000 }))],
      ["no signature headers", post("/webhooks/whoop", body)],
    ],
    wrongShape: { ...whoopSleepUpdated, user_id: "456" },
  },
  {
    name: "Google Health (Fitbit)",
    path: "google-health",
    source: "fitbit",
    status: 204,
    example: (tag) => ({ data: { ...fitbitSteps.data, healthUserId: `health-user-${tag}` } }),
    deliver: async () => ({ path: "/webhooks/google-health", headers: { Authorization: SECRETS.GOOGLE_HEALTH_WEBHOOK_SECRET } }),
    expected: (tag) => [
      {
        eventId: expect.stringContaining(`health-user-${tag}|steps|UPSERT|`) as unknown as string,
        externalUserId: `health-user-${tag}`,
        // The published start time is garbled ("2026-03-0B01:29:00Z"); the end time places it on 8 March (UTC).
        window: { start: Date.UTC(2026, 2, 8), end: Date.UTC(2026, 2, 9) },
      },
    ],
    forgeries: async (body) => [
      ["a wrong subscriber secret", post("/webhooks/google-health", body, { Authorization: "Bearer google-health-subscriber-secret-for-test" })],
      ["the secret without its scheme", post("/webhooks/google-health", body, { Authorization: SECRETS.GOOGLE_HEALTH_WEBHOOK_SECRET.slice("Bearer ".length) })],
      ["no Authorization", post("/webhooks/google-health", body)],
    ],
    wrongShape: { data: { ...fitbitSteps.data, operation: "MERGE" } },
  },
  {
    name: "Garmin",
    path: "garmin",
    source: "garmin",
    status: 200,
    example: (tag) => ({ dailies: garminDailies.dailies.map((daily) => ({ ...daily, userId: `garmin-user-${tag}`, summaryId: `${daily.summaryId}-${tag}` })) }),
    deliver: async () => ({ path: `/webhooks/garmin?token=${SECRETS.GARMIN_WEBHOOK_SECRET}`, headers: {} }),
    expected: (tag) => {
      const { userAccessToken: _token, ...summary } = garminDailies.dailies[0]!;
      return [
        {
          eventId: expect.stringMatching(new RegExp(`^dailies: EXAMPLE_67891-${tag}:[0-9a-z]+$`)) as unknown as string,
          externalUserId: `garmin-user-${tag}`,
          // The summary itself, ready for normalize, without the OAuth 1.0a token Garmin adds for legacy partners.
          pages: [{ kind: "dailies", body: { dailies: [{ ...summary, userId: `garmin-user-${tag}`, summaryId: `${summary.summaryId}-${tag}` }] } }],
        },
      ];
    },
    forgeries: async (body) => [
      ["a wrong token", post("/webhooks/garmin?token=garmin-endpoint-secret-for-webhook-test", body)],
      ["the token in another parameter", post(`/webhooks/garmin?secret=${SECRETS.GARMIN_WEBHOOK_SECRET}`, body)],
      ["no token", post("/webhooks/garmin", body)],
    ],
    wrongShape: { activityList: [{ userId: "u" }] },
  },
];

async function deliver(c: ProviderCase, body: string, options: { now?: number; queue?: RecordingQueue } = {}) {
  const now = options.now ?? Date.now();
  const signed = await c.deliver(body, now);
  return call(post(signed.path, body, signed.headers), { now, ...(options.queue ? { queue: options.queue } : {}) });
}

for (const c of CASES) {
  describe(`POST /webhooks/${c.path} (${c.name})`, () => {
    const maxBodyBytes = PROVIDERS[c.source].webhook!.maxBodyBytes;

    it(`queues exactly the documented example's events and answers ${c.status}, running no D1 statement`, async () => {
      const tag = crypto.randomUUID();
      const now = Date.now();
      const { response, queue, d1Statements } = await deliver(c, JSON.stringify(c.example(tag)), { now });
      expect(response.status).toBe(c.status);
      expect(queue.jobs).toEqual(c.expected(tag, now).map((event) => ({ type: "webhook", source: c.source, event })));
      expect(d1Statements).toBe(0);
    });

    it("queues the same delivery again when the provider retries it (the consumer drops the repeat)", async () => {
      const tag = crypto.randomUUID();
      const body = JSON.stringify(c.example(tag));
      const first = await deliver(c, body);
      expect(first.queue.jobs).toHaveLength(1);
      // The provider's retry, a minute later, freshly signed: the endpoint keeps no memory of what it queued.
      const again = await deliver(c, body, { now: Date.now() + MINUTE_MS });
      expect(again.response.status).toBe(c.status);
      expect(again.queue.jobs.map((job) => job.event.eventId)).toEqual(first.queue.jobs.map((job) => job.event.eventId));
      expect(first.d1Statements + again.d1Statements).toBe(0);
    });

    it("refuses forged, tampered, stale and unauthenticated deliveries with 401, queueing and writing nothing", async () => {
      const tag = crypto.randomUUID();
      const now = Date.now();
      const body = JSON.stringify(c.example(tag));
      for (const [label, request] of await c.forgeries(body, now)) {
        const { response, queue, d1Statements } = await call(request, { now });
        expect(response.status, label).toBe(401);
        expect(queue.batches, label).toEqual([]);
        expect(d1Statements, label).toBe(0);
      }
      // And with no secret configured at all, even a delivery signed with the empty secret is refused.
      const signed = await c.deliver(body, now);
      const unconfigured = await call(post(signed.path, body, signed.headers), {
        now,
        secrets: { OURA_CLIENT_SECRET: "", WHOOP_CLIENT_SECRET: "", GOOGLE_HEALTH_WEBHOOK_SECRET: "", GARMIN_WEBHOOK_SECRET: "" },
      });
      expect(unconfigured.response.status).toBe(401);
      expect(unconfigured.queue.batches).toEqual([]);
    });

    it(`refuses a body over ${maxBodyBytes} bytes with 413, whether Content-Length is honest, lying or absent, reading no further than the limit`, async () => {
      const tag = crypto.randomUUID();
      const now = Date.now();
      const example = c.example(tag) as Record<string, unknown>;
      const oversized = JSON.stringify({ ...example, padding: "x".repeat(maxBodyBytes) });
      expect(bytes(oversized)).toBeGreaterThan(maxBodyBytes);
      const signed = await c.deliver(oversized, now);

      const honest = await call(post(signed.path, oversized, { ...signed.headers, "Content-Length": String(bytes(oversized)) }), { now });
      expect(honest.response.status).toBe(413);
      expect(honest.queue.batches).toEqual([]);

      // Streamed, with three times the limit on offer: an honest Content-Length is refused before reading (only the
      // stream's own first chunk is produced); a lying or absent one is read only until the limit is passed.
      const chunkBytes = Math.max(1024, maxBodyBytes / 16);
      const total = bytes(oversized) + 2 * maxBodyBytes;
      for (const [declared, readAtMost] of [
        [String(total), chunkBytes],
        [undefined, maxBodyBytes + 2 * chunkBytes],
        ["512", maxBodyBytes + 2 * chunkBytes],
      ] as const) {
        const { stream, meter } = chunked(oversized, 2 * maxBodyBytes, chunkBytes);
        const headers = declared ? { ...signed.headers, "Content-Length": declared } : signed.headers;
        const { response, queue } = await call(post(signed.path, stream, headers), { now });
        expect(response.status, `Content-Length: ${declared ?? "absent"}`).toBe(413);
        expect(queue.batches).toEqual([]);
        expect(meter.pulled, `Content-Length: ${declared ?? "absent"}`).toBeLessThanOrEqual(readAtMost);
      }
    });

    it("answers 400 to a correctly signed body that is not JSON, or not the documented shape, queueing nothing", async () => {
      const now = Date.now();
      for (const body of ['{"event_type": "update", ', "<xml/>", JSON.stringify(c.wrongShape)]) {
        const { response, queue } = await deliver(c, body, { now });
        expect(response.status, body).toBe(400);
        expect(queue.batches).toEqual([]);
      }
    });

    it("answers 503 with Retry-After when the queue refuses, so the provider retries, and queues the retry", async () => {
      const tag = crypto.randomUUID();
      const body = JSON.stringify(c.example(tag));
      const failed = await deliver(c, body, { queue: new RecordingQueue(new Set([1])) });
      expect(failed.response.status).toBe(503);
      expect(failed.response.headers.get("Retry-After")).toBe("60");
      expect(await failed.response.json()).toEqual({ error: "could not accept the notification just now; retry" });
      expect(failed.queue.batches).toEqual([]);

      const retry = await deliver(c, body, { now: Date.now() + MINUTE_MS });
      expect(retry.response.status).toBe(c.status);
      expect(retry.queue.jobs).toHaveLength(1);
    });
  });
}

describe("Oura's verification handshake (GET /webhooks/oura)", () => {
  it("answers the right verification token with 200 and the challenge, a wrong one with 401, and queues nothing", async () => {
    const ok = await call(new Request(`${ORIGIN}/webhooks/oura?verification_token=${SECRETS.OURA_WEBHOOK_VERIFICATION_TOKEN}&challenge=challenge-from-oura`));
    expect(ok.response.status).toBe(200);
    expect(await ok.response.json()).toEqual({ challenge: "challenge-from-oura" });
    const wrong = await call(new Request(`${ORIGIN}/webhooks/oura?verification_token=guessed&challenge=challenge-from-oura`));
    expect(wrong.response.status).toBe(401);
    expect(JSON.stringify(await wrong.response.json())).not.toContain("challenge-from-oura");
    expect([...ok.queue.batches, ...wrong.queue.batches]).toEqual([]);
  });

  it("acknowledges notifications for data it does not pull (the 1.11 docs' tag example) and deletes, queueing nothing", async () => {
    const now = Date.now();
    for (const example of [ouraTagEvent, { ...ouraEvent, object_id: crypto.randomUUID(), event_type: "delete" }]) {
      const body = JSON.stringify(example);
      const { response, queue } = await call(post("/webhooks/oura", body, await ouraHeaders(body, { timestamp: now })), { now });
      expect(response.status).toBe(200);
      expect(queue.batches).toEqual([]);
    }
  });
});

describe("Google Health's endpoint verification (POST /webhooks/google-health)", () => {
  const verification = '{"type": "verification"}';

  it("answers the verification with the subscriber secret 201, and the one without it 401, writing nothing", async () => {
    const withSecret = await call(post("/webhooks/google-health", verification, { Authorization: SECRETS.GOOGLE_HEALTH_WEBHOOK_SECRET }));
    expect(withSecret.response.status).toBe(201);
    const without = await call(post("/webhooks/google-health", verification));
    expect(without.response.status).toBe(401);
    const wrong = await call(post("/webhooks/google-health", verification, { Authorization: "Bearer guessed" }));
    expect(wrong.response.status).toBe(401);
    expect([...withSecret.queue.batches, ...without.queue.batches, ...wrong.queue.batches]).toEqual([]);
  });

  it("queues each notification of a batched delivery (the reported live shape) as its own event", async () => {
    const tag = crypto.randomUUID();
    const body = JSON.stringify(fitbitBatch.map((item) => ({ data: { ...item.data, healthUserId: `AbC123xyz-${tag}` } })));
    const { response, queue } = await call(post("/webhooks/google-health", body, { Authorization: SECRETS.GOOGLE_HEALTH_WEBHOOK_SECRET }));
    expect(response.status).toBe(204);
    expect(queue.jobs.map((job) => [job.source, job.event.externalUserId, job.event.window])).toEqual([
      ["fitbit", `AbC123xyz-${tag}`, { start: Date.UTC(2026, 7, 13), end: Date.UTC(2026, 7, 14) }],
      // A civil date has no offset: the window reaches a day either side.
      ["fitbit", `AbC123xyz-${tag}`, { start: Date.UTC(2026, 7, 12), end: Date.UTC(2026, 7, 15) }],
    ]);
    expect(new Set(queue.jobs.map((job) => job.event.eventId)).size).toBe(2);
  });

  it("turns a DELETE that names no data (a revoked grant) into a deregistration", async () => {
    const tag = crypto.randomUUID();
    const body = JSON.stringify({ data: { ...fitbitSteps.data, healthUserId: `revoked-${tag}`, operation: "DELETE", intervals: [] } });
    const { response, queue } = await call(post("/webhooks/google-health", body, { Authorization: SECRETS.GOOGLE_HEALTH_WEBHOOK_SECRET }));
    expect(response.status).toBe(204);
    expect(queue.jobs.map((job) => job.event)).toEqual([
      { eventId: expect.stringContaining(`revoked-${tag}`), externalUserId: `revoked-${tag}`, deregistration: true },
    ]);
  });
});

describe("Garmin deliveries larger than a queue message", () => {
  const garminPost = (body: unknown) => post(`/webhooks/garmin?token=${SECRETS.GARMIN_WEBHOOK_SECRET}`, JSON.stringify(body));

  /** The published daily, with heart-rate samples every `stepSeconds` over its day: Garmin's real payload grows so. */
  function dailyWithSamples(tag: string, index: number, stepSeconds: number) {
    const samples: Record<string, number> = {};
    for (let offset = 0; offset < 86_400; offset += stepSeconds) samples[String(offset)] = 58 + ((offset / stepSeconds) % 40);
    const daily = garminDailies.dailies[0]!;
    return {
      ...daily,
      userId: `garmin-user-${tag}`,
      summaryId: `${daily.summaryId}-${tag}-${index}`,
      startTimeInSeconds: daily.startTimeInSeconds + index * 86_400,
      timeOffsetHeartRateSamples: samples,
    };
  }

  it("puts an event over 100 KB in R2, keyed by provider and event id, and queues a message that carries only its key and ids", async () => {
    const tag = crypto.randomUUID();
    const daily = dailyWithSamples(tag, 0, 5);
    expect(bytes(JSON.stringify(daily))).toBeGreaterThan(QUEUE_MESSAGE_BYTES);
    const { response, queue, d1Statements } = await call(garminPost({ dailies: [daily] }));
    expect(response.status).toBe(200);
    expect(d1Statements).toBe(0);

    expect(queue.jobs).toEqual([
      {
        type: "webhook",
        source: "garmin",
        payloadKey: expect.stringMatching(/^webhook-events\/garmin\/[0-9a-f]{64}\.json$/),
        event: { eventId: expect.stringContaining(`EXAMPLE_67891-${tag}-0:`), externalUserId: `garmin-user-${tag}` },
      },
    ]);
    expect(bytes(JSON.stringify(queue.jobs[0]))).toBeLessThan(1024);
    const { userAccessToken: _token, ...summary } = daily;
    const stored = await storedPayload(queue.jobs[0]!);
    expect(stored).toEqual({
      eventId: queue.jobs[0]!.event.eventId,
      externalUserId: `garmin-user-${tag}`,
      pages: [{ kind: "dailies", body: { dailies: [summary] } }],
    });
    expect(JSON.stringify(stored)).not.toContain("userAccessToken");

    // Garmin's retry of the same push lands on the same object: one per event, however often it is delivered.
    const retry = await call(garminPost({ dailies: [daily] }));
    expect(retry.queue.jobs.map((job) => job.payloadKey)).toEqual([queue.jobs[0]!.payloadKey]);
    const listed = await env.WEBHOOK_PAYLOADS.list({ prefix: "webhook-events/garmin/" });
    expect(listed.objects.filter((object) => object.key === queue.jobs[0]!.payloadKey)).toHaveLength(1);
  });

  it("measures messages in bytes: an event of fewer than 100,000 characters but more than 128 KB of UTF-8 goes to R2, not in the message", async () => {
    const tag = crypto.randomUUID();
    // Garmin documents ASCII fields, but a summary is passed through whole: any text it carries counts in bytes.
    const daily = { ...dailyWithSamples(tag, 0, 30), deviceName: "心拍計".repeat(12_000) };
    const text = JSON.stringify(daily);
    expect(text.length).toBeLessThan(100_000);
    expect(bytes(text)).toBeGreaterThan(QUEUE_MESSAGE_BYTES);
    const { response, queue } = await call(garminPost({ dailies: [daily] }));
    expect(response.status).toBe(200);
    expect(queue.jobs).toEqual([expect.objectContaining({ payloadKey: expect.any(String) })]);
    expect(JSON.stringify(await storedPayload(queue.jobs[0]!))).toContain("心拍計");
  });

  it("sends at most 100 messages per batch", async () => {
    const tag = crypto.randomUUID();
    const template = garminEpochs.epochs[1]!;
    const epochs = Array.from({ length: 250 }, (_, i) => ({
      ...template,
      userId: `garmin-user-${tag}`,
      summaryId: `${template.summaryId}-${tag}-${i}`,
      startTimeInSeconds: template.startTimeInSeconds + i * 900,
    }));
    const { response, queue } = await call(garminPost({ epochs }));
    expect(response.status).toBe(200);
    expect(queue.batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(new Set(queue.jobs.map((job) => job.event.eventId)).size).toBe(250);
  });

  it("sends batches of about 200 KB at most, each message inline under 100 KB", async () => {
    const tag = crypto.randomUUID();
    // Samples every 15 s over a day: about 65 KB each, small enough to travel inline, too large for 4 per batch.
    const dailies = Array.from({ length: 5 }, (_, i) => dailyWithSamples(tag, i, 15));
    const { response, queue } = await call(garminPost({ dailies }));
    expect(response.status).toBe(200);
    expect(queue.jobs).toHaveLength(5);
    expect(queue.jobs.every((job) => job.payloadKey === undefined && job.event.pages?.length === 1)).toBe(true);
    const batchBytes = queue.batches.map((batch) => batch.reduce((sum, message) => sum + bytes(JSON.stringify(message.body)), 0));
    expect(queue.batches.length).toBeGreaterThan(1);
    for (const size of batchBytes) expect(size).toBeLessThanOrEqual(200_000);
  });

  it("when a later batch fails, answers 503, and the retry queues the whole delivery again (the consumer drops what it has)", async () => {
    const tag = crypto.randomUUID();
    const template = garminEpochs.epochs[0]!;
    const epochs = Array.from({ length: 150 }, (_, i) => ({
      ...template,
      userId: `garmin-user-${tag}`,
      summaryId: `${template.summaryId}-${tag}-${String(i).padStart(3, "0")}`,
    }));
    const failed = await call(garminPost({ epochs }), { queue: new RecordingQueue(new Set([2])) });
    expect(failed.response.status).toBe(503);
    expect(failed.response.headers.get("Retry-After")).toBe("60");
    expect(failed.queue.jobs).toHaveLength(100);

    const retry = await call(garminPost({ epochs }));
    expect(retry.response.status).toBe(200);
    expect(retry.queue.jobs).toHaveLength(150);
    const sentIds = new Set(failed.queue.jobs.map((job) => job.event.eventId));
    expect(retry.queue.jobs.filter((job) => sentIds.has(job.event.eventId))).toHaveLength(100);
  });

  it("queues a summary repeated within one delivery once", async () => {
    const tag = crypto.randomUUID();
    const daily = { ...garminDailies.dailies[0]!, userId: `garmin-user-${tag}`, summaryId: `repeated-${tag}` };
    const { response, queue } = await call(garminPost({ dailies: [daily, daily] }));
    expect(response.status).toBe(200);
    expect(queue.jobs).toHaveLength(1);
  });

  it("queues the Health API ping as a callback to follow, ignoring the example's empty item", async () => {
    const tag = crypto.randomUUID();
    const ping = { epochs: garminPing.epochs.map((item) => ("userId" in item ? { ...item, userId: `garmin-user-${tag}` } : item)) };
    const { response, queue } = await call(garminPost(ping));
    expect(response.status).toBe(200);
    expect(queue.jobs.map((job) => job.event)).toEqual([
      {
        eventId: `epochs:ping:garmin-user-${tag}:1444937651-1444937902`,
        externalUserId: `garmin-user-${tag}`,
        callbackUrl: garminPing.epochs[0]!.callbackURL,
        callbackKind: "epochs",
      },
    ]);
  });
});

describe("routing", () => {
  it("answers 404 for a provider that does not push here, or by its source id instead of its path", async () => {
    for (const path of ["/webhooks/dexcom", "/webhooks/fitbit", "/webhooks/strava"]) {
      const { response, queue } = await call(post(path, "{}"));
      expect(response.status, path).toBe(404);
      expect(queue.batches).toEqual([]);
    }
  });

  it("answers 405 to a GET on every POST-only endpoint", async () => {
    for (const path of ["/webhooks/oura", "/webhooks/whoop", "/webhooks/google-health", `/webhooks/garmin?token=${SECRETS.GARMIN_WEBHOOK_SECRET}`]) {
      const { response } = await call(new Request(`${ORIGIN}${path}`));
      expect(response.status, path).toBe(405);
    }
  });
});
