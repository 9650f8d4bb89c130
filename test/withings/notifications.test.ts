import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { consumeWebhookBatch } from "../../queues/webhook-consumer";
import { createApp } from "../../src/app";
import { integrationConnections } from "../../src/db/schema";
import type { SyncJob, WebhookJob } from "../../src/sync/jobs";
import { connectThroughSandbox, consumeSyncJobs, countingD1, db, recordingQueue, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";

/**
 * Withings' notifications through the real endpoint and both consumers. Withings signs nothing: the callback URL
 * carries a secret, and the notification must name a person connected here. The form body is Withings' documented
 * payload (fixtures/notification.docs.form) with this test's person and window.
 */

const ORIGIN = "https://integrations.wellness-os.example";
const DAY_MS = 86_400_000;
const PATH_KEY = "withings-path-key";
const CALLBACK = `/webhooks/withings?key=${PATH_KEY}`;

async function connectedPerson() {
  const session = await signIn();
  const done = await connectThroughSandbox("withings", session, { callbackEnv: { SYNC_QUEUE: recordingQueue<SyncJob>() } });
  expect(done.status).toBe(303);
  const [row] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "withings")));
  expect(row?.externalUserId).toMatch(/^\d+$/);
  return { userId: session.userId, externalUserId: row!.externalUserId!, connectionId: row!.id };
}

async function deliver(path: string, body: string | null, method = "POST") {
  const queue = recordingQueue<WebhookJob>();
  const d1 = countingD1(env.DB);
  const ctx = createExecutionContext();
  const init: RequestInit = { method, ...(body === null ? {} : { body, headers: { "Content-Type": "application/x-www-form-urlencoded" } }) };
  const response = await createApp().fetch(
    new Request(`${ORIGIN}${path}`, init),
    { ...env, DB: d1.binding, WITHINGS_WEBHOOK_SECRET: PATH_KEY, WEBHOOK_QUEUE: queue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { response, jobs: queue.sent, statements: d1.statements() };
}

const form = (fields: Record<string, string | number>) => new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();

async function consumeWebhooks(jobs: readonly WebhookJob[]) {
  const syncQueue = recordingQueue<SyncJob>();
  const batch = createMessageBatch(
    "wellness-webhooks",
    jobs.map((body, i) => ({ id: `wh-${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeWebhookBatch(batch, { ...env, SYNC_QUEUE: syncQueue });
  return { verdict: await getQueueResult(batch, ctx), syncJobs: syncQueue.sent };
}

describe("Withings' check of the callback URL", () => {
  it("answers HEAD and GET with 200 at our URL, and 401 without its secret", async () => {
    expect((await deliver(CALLBACK, null, "HEAD")).response.status).toBe(200);
    expect((await deliver(CALLBACK, null, "GET")).response.status).toBe(200);
    expect((await deliver("/webhooks/withings?key=guessed", null, "HEAD")).response.status).toBe(401);
    expect((await deliver("/webhooks/withings", null, "HEAD")).response.status).toBe(401);
  });
});

describe("bad notifications: a clear 4xx, nothing queued", () => {
  it("refuses a missing or wrong path secret (401), an unknown user (404) and a body that is not the form (400)", async () => {
    const person = await connectedPerson();
    const now = Math.floor(Date.now() / 1000);
    const good = form({ userid: person.externalUserId, appli: 1, startdate: now - 3600, enddate: now - 60 });
    const cases: [string, string, number][] = [
      ["/webhooks/withings", good, 401],
      ["/webhooks/withings?key=not-the-key", good, 401],
      [CALLBACK, form({ userid: "987654321", appli: 1, startdate: now - 3600, enddate: now - 60 }), 404],
      [CALLBACK, form({ userid: person.externalUserId, appli: 1 }), 400],
      [CALLBACK, '{"userid": 1}', 400],
      // A secret somewhere else than where Withings is told to send it.
      [`/webhooks/withings/${PATH_KEY}`, good, 404],
    ];
    for (const [path, body, status] of cases) {
      const { response, jobs } = await deliver(path, body);
      expect(response.status, `${path} ${body}`).toBe(status);
      expect(jobs, `${path} ${body}`).toEqual([]);
    }
  });

  it("acknowledges a category it did not subscribe to (sleep, 44) and queues nothing", async () => {
    const person = await connectedPerson();
    const { response, jobs } = await deliver(CALLBACK, form({ userid: person.externalUserId, appli: 44, startdate: 1, enddate: 2 }));
    expect(response.status).toBe(200);
    expect(jobs).toEqual([]);
  });
});

describe("a notification pulls the announced window, once", () => {
  it("queues one event (one D1 read), the consumer pulls the window, and a replay writes nothing", async () => {
    const person = await connectedPerson();
    const end = Math.floor((Date.now() - 3_600_000) / 1000);
    const start = end - 6 * 86_400;
    const body = form({ userid: person.externalUserId, appli: 1, startdate: start, enddate: end });

    const first = await deliver(CALLBACK, body);
    expect(first.response.status).toBe(200);
    // The path secret and the known-user check: one indexed read, no write.
    expect(first.statements).toBe(1);
    expect(first.jobs).toEqual([
      {
        type: "webhook",
        source: "withings",
        event: {
          eventId: `${person.externalUserId}:1:${start}:${end}`,
          externalUserId: person.externalUserId,
          window: { start: start * 1000, end: end * 1000 + 1000 },
          kinds: ["measures"],
        },
      },
    ]);

    // Withings retries a delivery it thinks failed: the same event, queued again.
    const replay = await deliver(CALLBACK, body);
    expect(replay.jobs).toEqual(first.jobs);

    const handled = await consumeWebhooks(first.jobs);
    expect(handled.verdict.retryMessages).toEqual([]);
    expect(handled.syncJobs.length).toBeGreaterThan(0);
    for (const job of handled.syncJobs) expect(job).toMatchObject({ source: "withings", userId: person.userId, trigger: "webhook" });
    const synced = await consumeSyncJobs(handled.syncJobs);
    expect(synced.retryMessages).toEqual([]);
    const stored = await storedRecords(person.userId, { source: "withings" });
    const weighIns = stored.filter((row) => row.kind === "body_composition");
    expect(weighIns.length).toBeGreaterThan(0);
    for (const row of weighIns) expect(row.start_time).toBeGreaterThanOrEqual(start * 1000 - 30 * DAY_MS);

    // The replayed event is dropped by the ledger: no second pull is even queued.
    const again = await consumeWebhooks(replay.jobs);
    expect(again.verdict.retryMessages).toEqual([]);
    expect(again.syncJobs).toEqual([]);
    // And a second pull of the same window (a retried sync) changes nothing.
    await consumeSyncJobs(handled.syncJobs.map((job) => ({ ...job, runId: crypto.randomUUID() })));
    const after = await storedRecords(person.userId, { source: "withings" });
    expect(after.length).toBe(stored.length);
    expect(after.map((row) => row.updated_at)).toEqual(stored.map((row) => row.updated_at));
  });
});
