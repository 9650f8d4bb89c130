import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { consumeSyncBatch } from "../queues/sync-consumer";
import { consumeWebhookBatch, type WebhookDeps } from "../queues/webhook-consumer";
import { createApp } from "../src/app";
import { consents, integrationConnections, syncRuns, users, webhookEvents } from "../src/db/schema";
import type { SourceId } from "../src/domain/integration";
import fitbitSteps from "../src/providers/fitbit/fixtures/notification-steps-upsert.webhooks-page.json";
import { fitbitSync } from "../src/providers/fitbit/sync";
import garminDailies from "../src/providers/garmin/fixtures/dtu-push-dailies.json";
import garminSleeps from "../src/providers/garmin/fixtures/dtu-push-sleeps.json";
import garminPing from "../src/providers/garmin/fixtures/health-api-ping-epochs.json";
import garminDeregistrations from "../src/providers/garmin/fixtures/start-guide-deregistrations.json";
import garminPermissionsChange from "../src/providers/garmin/fixtures/start-guide-user-permissions-change.json";
import { normalizeGarmin } from "../src/providers/garmin/normalize";
import ouraEvent from "../src/providers/oura/fixtures/webhook-event.docs-current.json";
import { ouraSync } from "../src/providers/oura/sync";
import whoopSleepUpdated from "../src/providers/whoop/fixtures/webhook-sleep-updated-v2.json";
import { whoopSync } from "../src/providers/whoop/sync";
import { createSandboxFetch } from "../src/sandbox/fetch";
import { issueSandboxAccessToken } from "../src/sandbox/grants";
import type { SyncJob, WebhookJob } from "../src/sync/jobs";
import { ledgerProvider } from "../src/sync/webhook-events";
import { connectThroughSandbox, countingD1, db, hubHoldsTokens, recordingQueue, signIn } from "./helpers";
import { storedRecords } from "./records/inspect";

/**
 * The webhook consumer, fed the jobs the real endpoint queued: each notification below goes through
 * `createApp().fetch` (signed as its provider signs it), the queued messages are recorded, and then handed to
 * `consumeWebhookBatch` as the queue would deliver them. People are connected through the development sandbox,
 * so their tokens sit in their own UserHub and Garmin's callbacks are answered by the in-process sandbox.
 */

const ORIGIN = "https://integrations.wellness-os.example";
const DAY_MS = 86_400_000;
const SECRETS = {
  OURA_CLIENT_SECRET: "test-only-oura-c",
  WHOOP_CLIENT_SECRET: "test-only-whoop-c",
  GOOGLE_HEALTH_WEBHOOK_SECRET: "Bearer google-health-subscriber-secret-for-consumer-tests",
  GARMIN_WEBHOOK_SECRET: "garmin-endpoint-secret-for-consumer-tests",
};

const hub = (userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));

// ---------------------------------------------------------------------------------------------------------------
// People, connected the way a person connects.

interface Person {
  userId: string;
  externalUserId: string;
  connectionId: string;
}

async function connectionOf(userId: string, source: SourceId) {
  const [row] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, source)));
  return row!;
}

async function connectedPerson(source: SourceId): Promise<Person> {
  const session = await signIn();
  // The backfill jobs the connection enqueues are not this test's business: record them instead of queueing.
  const done = await connectThroughSandbox(source, session, { callbackEnv: { SYNC_QUEUE: recordingQueue<SyncJob>() } });
  expect(done.status).toBe(303);
  const connection = await connectionOf(session.userId, source);
  expect(connection.status).toBe("connected");
  expect(connection.externalUserId).toBeTruthy();
  return { userId: session.userId, externalUserId: connection.externalUserId!, connectionId: connection.id };
}

/** A Garmin connection made against the live provider (tokens in the person's UserHub), so a test controls fetch. */
async function liveGarminPerson(): Promise<Person & { accessToken: string }> {
  const userId = `usr_live_${crypto.randomUUID().replaceAll("-", "")}`;
  const externalUserId = `garmin-live-${crypto.randomUUID()}`;
  const connectionId = `conn_${crypto.randomUUID()}`;
  const accessToken = `garmin-live-access-${crypto.randomUUID()}`;
  const now = Date.now();
  await db()
    .insert(users)
    .values({ id: userId, email: `${userId}@example.test` });
  await db()
    .insert(integrationConnections)
    .values({ id: connectionId, userId, sourceId: "garmin", status: "connected", mode: "live", externalUserId, connectedAt: now, updatedAt: now });
  await hub(userId).storeTokens(userId, "garmin", "live", {
    accessToken,
    refreshToken: "garmin-live-refresh",
    expiresAt: now + 3_600_000,
    scope: null,
    context: {},
  });
  return { userId, externalUserId, connectionId, accessToken };
}

// ---------------------------------------------------------------------------------------------------------------
// The endpoint, to produce jobs exactly as production queues them.

async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
}

async function notify(path: string, body: unknown, headers: Record<string, string> = {}): Promise<WebhookJob[]> {
  const queue = recordingQueue<WebhookJob>();
  const ctx = createExecutionContext();
  const request = new Request(`${ORIGIN}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  const response = await createApp().fetch(request, { ...env, ...SECRETS, WEBHOOK_QUEUE: queue }, ctx);
  await waitOnExecutionContext(ctx);
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return queue.sent;
}

const fromOura = async (body: unknown) => {
  const raw = JSON.stringify(body);
  const timestamp = String(Date.now());
  const signature = [...(await hmacSha256(SECRETS.OURA_CLIENT_SECRET, timestamp + raw))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
  return notify("/webhooks/oura", body, { "x-oura-timestamp": timestamp, "x-oura-signature": signature });
};
const fromWhoop = async (body: unknown) => {
  const timestamp = String(Date.now());
  const signature = btoa(String.fromCharCode(...(await hmacSha256(SECRETS.WHOOP_CLIENT_SECRET, timestamp + JSON.stringify(body)))));
  return notify("/webhooks/whoop", body, { "X-WHOOP-Signature-Timestamp": timestamp, "X-WHOOP-Signature": signature });
};
const fromGoogle = (body: unknown) => notify("/webhooks/google-health", body, { Authorization: SECRETS.GOOGLE_HEALTH_WEBHOOK_SECRET });
const fromGarmin = (body: unknown) => notify(`/webhooks/garmin?token=${SECRETS.GARMIN_WEBHOOK_SECRET}`, body);

// ---------------------------------------------------------------------------------------------------------------
// The consumer, as the queue runs it.

/**
 * The batch as the consumer sees it, noting the delay each retry asks for (getQueueResult reports which messages
 * were retried, not with what delay) and passing every call through to the real message.
 */
function observingDelays(batch: MessageBatch<unknown>) {
  const delays = new Map<string, number | undefined>();
  const messages = batch.messages.map(
    (message) =>
      new Proxy(message, {
        get(target, property) {
          if (property === "retry") {
            return (options?: QueueRetryOptions) => {
              delays.set(target.id, options?.delaySeconds);
              target.retry(options);
            };
          }
          const value = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }),
  );
  const observed = new Proxy(batch, { get: (target, property) => (property === "messages" ? messages : Reflect.get(target, property, target)) });
  return { observed, delays };
}

async function consume(jobs: readonly unknown[], options: { deps?: WebhookDeps; attempts?: number; d1?: D1Database } = {}) {
  const syncQueue = recordingQueue<SyncJob>();
  const webhookQueue = recordingQueue<WebhookJob>();
  const messages = jobs.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: options.attempts ?? 1, body }));
  const batch = createMessageBatch("wellness-webhooks", messages);
  const { observed, delays } = observingDelays(batch);
  const ctx = createExecutionContext();
  await consumeWebhookBatch(observed, { ...env, SYNC_QUEUE: syncQueue, WEBHOOK_QUEUE: webhookQueue, DB: options.d1 ?? env.DB }, options.deps);
  const verdict = await getQueueResult(batch, ctx);
  // `handedOn`: events sent back to the webhook queue for the next invocation.
  return { verdict, delays, ids: messages.map((message) => message.id), syncJobs: syncQueue.sent, handedOn: webhookQueue.sent };
}

/** The consumer's webhook_events rows for these jobs' events, in the jobs' order (one per event at most). */
async function webhookRows(jobs: readonly WebhookJob[]) {
  const rows = await db()
    .select()
    .from(webhookEvents)
    .where(
      inArray(
        webhookEvents.eventId,
        jobs.map((job) => job.event.eventId),
      ),
    );
  return jobs.flatMap((job) => rows.filter((row) => row.eventId === job.event.eventId && row.provider === ledgerProvider(job.source)));
}

/** The person's records of one source, from their UserHub's record store, by kind and external id. */
/** The person's records of `source`; Garmin's 15-second heart-rate samples only when asked for. */
async function recordsOf(userId: string, source: SourceId = "garmin", withSamples = false) {
  const rows = (await storedRecords(userId, { source })).filter((row) => withSamples || row.kind !== "heart_rate");
  return rows
    .map((row) => ({
      kind: row.kind,
      externalId: row.external_id,
      startTime: row.start_time,
      endTime: row.end_time,
      data: row.data,
      raw: row.raw,
      updatedAt: row.updated_at,
    }))
    .sort((a, b) => (a.kind === b.kind ? (a.externalId < b.externalId ? -1 : 1) : a.kind < b.kind ? -1 : 1));
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");

/** The sync jobs cover `window` exactly, newest first, in pieces no longer than `jobDays`. */
function expectPieces(jobs: SyncJob[], window: { start: number; end: number }, jobDays: number) {
  expect(jobs.length).toBe(Math.ceil((window.end - window.start) / (jobDays * DAY_MS)));
  expect(jobs[0]!.window.end).toBe(window.end);
  expect(jobs.at(-1)!.window.start).toBe(window.start);
  for (const [i, job] of jobs.entries()) {
    expect(job.window.end - job.window.start).toBeLessThanOrEqual(jobDays * DAY_MS);
    if (i > 0) expect(job.window.end).toBe(jobs[i - 1]!.window.start);
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe("notifications that ask for a re-pull", () => {
  it("Oura: enqueues sync jobs for the named data type only, with 'queued' runs, and the sync stores only that type", async () => {
    const person = await connectedPerson("oura");
    const now = Date.now();
    const eventTime = now - 3 * 3_600_000;
    const [job, ...others] = await fromOura({
      ...ouraEvent,
      object_id: crypto.randomUUID(),
      event_time: isoSeconds(eventTime),
      user_id: person.externalUserId,
    });
    expect(others).toEqual([]);
    expect(job!.event.kinds).toEqual(["sleep"]);

    const { verdict, ids, syncJobs } = await consume([job], { deps: { now } });
    expect(verdict.explicitAcks).toEqual(ids);
    expect(verdict.retryMessages).toEqual([]);
    // The event's UTC day and the day before, up to now.
    const dayStart = Math.floor(eventTime / DAY_MS) * DAY_MS;
    expectPieces(syncJobs, { start: dayStart - DAY_MS, end: Math.min(dayStart + DAY_MS, now) }, ouraSync.backfillJobDays);
    for (const sync of syncJobs) {
      expect(sync).toMatchObject({
        type: "sync",
        connectionId: person.connectionId,
        userId: person.userId,
        source: "oura",
        trigger: "webhook",
        kinds: ["sleep"],
      });
    }
    const runs = await db()
      .select()
      .from(syncRuns)
      .where(
        inArray(
          syncRuns.id,
          syncJobs.map((sync) => sync.runId),
        ),
      );
    expect(runs.map((run) => [run.status, run.trigger, run.windowStart, run.windowEnd])).toEqual(
      expect.arrayContaining(syncJobs.map((sync) => ["queued", "webhook", sync.window.start, sync.window.end])),
    );
    expect(runs).toHaveLength(syncJobs.length);
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "processed" })]);

    // Through the sync consumer: only Oura's sleep collection is pulled.
    const ctx = createExecutionContext();
    const batch = createMessageBatch(
      "wellness-sync",
      syncJobs.map((body, i) => ({ id: `sync-${i}`, timestamp: now, attempts: 1, body })),
    );
    await consumeSyncBatch(batch, env);
    expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([]);
    // Oura's sleep documents become sleep sessions (and the night's HRV); no other collection was touched.
    const kinds = new Set((await recordsOf(person.userId, "oura")).map((record) => record.kind));
    expect(kinds.has("sleep_session")).toBe(true);
    expect([...kinds].filter((kind) => kind !== "sleep_session" && kind !== "hrv")).toEqual([]);
  });

  it("WHOOP: re-pulls the member's last two days in one job, with no kinds", async () => {
    const person = await connectedPerson("whoop");
    const [job] = await fromWhoop({ ...whoopSleepUpdated, user_id: Number(person.externalUserId), trace_id: crypto.randomUUID() });
    const now = Date.now();
    const { verdict, syncJobs } = await consume([job], { deps: { now } });
    expect(verdict.explicitAcks).toHaveLength(1);
    expectPieces(syncJobs, { start: job!.event.window!.start, end: job!.event.window!.end }, whoopSync.backfillJobDays);
    expect(syncJobs).toHaveLength(1);
    expect(syncJobs[0]!.kinds).toBeUndefined();
    expect(syncJobs[0]).toMatchObject({ connectionId: person.connectionId, userId: person.userId, source: "whoop", trigger: "webhook" });
  });

  it("Google Health: splits a ten-day change into jobs of at most four days, and caps a two-month one at 31 days", async () => {
    const person = await connectedPerson("fitbit");
    const now = Date.now();
    const notification = (start: number, end: number) => ({
      data: {
        ...fitbitSteps.data,
        healthUserId: person.externalUserId,
        intervals: [{ physicalTimeInterval: { startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString() } }],
      },
    });
    const [tenDays] = await fromGoogle(notification(now - 10 * DAY_MS, now));
    const first = await consume([tenDays], { deps: { now } });
    // Padded to whole UTC days by the endpoint, stopped at now by the consumer.
    expectPieces(first.syncJobs, { start: Math.floor((now - 10 * DAY_MS) / DAY_MS) * DAY_MS, end: now }, fitbitSync.backfillJobDays);
    expect(first.syncJobs.length).toBeGreaterThanOrEqual(3);
    expect(first.syncJobs.every((sync) => sync.source === "fitbit" && sync.connectionId === person.connectionId && sync.kinds === undefined)).toBe(true);

    const [twoMonths] = await fromGoogle(notification(now - 60 * DAY_MS, now));
    const second = await consume([twoMonths], { deps: { now } });
    expectPieces(second.syncJobs, { start: now - 31 * DAY_MS, end: now }, fitbitSync.backfillJobDays);
    const runs = await db()
      .select({ status: syncRuns.status })
      .from(syncRuns)
      .where(
        inArray(
          syncRuns.id,
          [...first.syncJobs, ...second.syncJobs].map((sync) => sync.runId),
        ),
      );
    expect(runs.map((run) => run.status)).toEqual([...first.syncJobs, ...second.syncJobs].map(() => "queued"));
  });

  it("skips a window entirely older than a notification may re-pull, saying so", async () => {
    const person = await connectedPerson("oura");
    // The published example as it is: an event of 1 January 2023.
    const [job] = await fromOura({ ...ouraEvent, object_id: crypto.randomUUID(), user_id: person.externalUserId });
    const { verdict, syncJobs } = await consume([job]);
    expect(verdict.explicitAcks).toHaveLength(1);
    expect(syncJobs).toEqual([]);
    const [row] = await webhookRows([job!]);
    expect(row).toMatchObject({ status: "skipped", detail: "window ended more than 31 days ago" });
  });
});

describe("Garmin pushes (data in the notification)", () => {
  it("stores the pushed summaries for that person, normalized, and a replay writes nothing", async () => {
    const person = await connectedPerson("garmin");
    const now = Date.now();
    const daily = garminDailies.dailies.map((summary) => ({ ...summary, userId: person.externalUserId }));
    const sleeps = garminSleeps.sleeps.map((summary) => ({ ...summary, userId: person.externalUserId }));
    const jobs = await fromGarmin({ dailies: daily, sleeps });
    expect(jobs).toHaveLength(3);

    const { verdict, ids } = await consume(jobs, { deps: { now } });
    expect(verdict.explicitAcks).toEqual(ids);
    const everything = await recordsOf(person.userId, "garmin", true);
    // The daily's 15-second heart-rate samples (eight in the example) are stored too, each at its instant.
    const samples = everything.filter((record) => record.kind === "heart_rate");
    expect(samples).toHaveLength(Object.keys(garminDailies.dailies[0]!.timeOffsetHeartRateSamples).length);
    const records = everything.filter((record) => record.kind !== "heart_rate");
    expect(records.map((record) => [record.kind, record.externalId])).toEqual([
      ["daily_activity", " EXAMPLE_67891"],
      ["sleep_session", "EXAMPLE_567890"],
      ["sleep_session", "EXAMPLE_567891"],
    ]);
    const [activity, firstNight, secondNight] = records;
    expect(activity).toMatchObject({ startTime: 1452470400_000, endTime: (1452470400 + 86_400) * 1000, updatedAt: now });
    expect(JSON.parse(activity!.data)).toEqual({
      date: "2016-01-11",
      step_count: { value: 4210, unit: "steps" },
      active_energy_burned: { value: 321, unit: "kcal" },
      // Active plus basal (1731 kcal).
      total_energy_burned: { value: 2052, unit: "kcal" },
      // Moderate (81,870 s) plus vigorous (4,530 s) time.
      active_minutes: { value: 1440, unit: "min" },
      distance: { value: 3146.5, unit: "m" },
      heart_rate_min: { value: 59, unit: "beats/min" },
      heart_rate_average: { value: 64, unit: "beats/min" },
      heart_rate_max: { value: 112, unit: "beats/min" },
    });
    expect(activity!.raw).not.toContain("userAccessToken");
    expect(JSON.parse(firstNight!.data)).toEqual({
      effective_time_frame: { time_interval: { start_date_time: "2016-01-10T11:53:01+02:00", end_date_time: "2016-01-10T16:07:25+02:00" } },
      // Deep + light + REM; awake time is not sleep.
      total_sleep_time: { value: 14_772, unit: "s" },
      sleep_stages: { deep: { value: 11_231, unit: "s" }, light: { value: 3541, unit: "s" }, rem: { value: 0, unit: "s" }, awake: { value: 492, unit: "s" } },
    });
    expect(JSON.parse(secondNight!.data).total_sleep_time).toEqual({ value: 11_588, unit: "s" });

    const connection = await connectionOf(person.userId, "garmin");
    expect(connection).toMatchObject({ status: "connected", lastSuccessAt: now, lastSyncAt: now, lastError: null });
    const rows = await webhookRows(jobs);
    expect(rows.map((row) => row.status)).toEqual(["processed", "processed", "processed"]);

    // At-least-once delivery: the same messages again are dropped, changing nothing (updated_at would move if a
    // record were rewritten, and the connection's sync times if the events were handled again).
    const replay = await consume(jobs, { deps: { now: now + 60_000 } });
    expect(replay.verdict.explicitAcks).toHaveLength(3);
    expect(await recordsOf(person.userId)).toEqual(records);
    expect(await webhookRows(jobs)).toEqual(rows);
    expect(await connectionOf(person.userId, "garmin")).toEqual(connection);
  });

  it("a batch with more work than one invocation's subrequests: what fits is stored, the rest is handed on and stored once", async () => {
    // Twenty people's pushes: each person's records are one store into their own UserHub, so they cannot all fit in 50.
    const people = await Promise.all(Array.from({ length: 20 }, () => liveGarminPerson()));
    const [summary] = garminDailies.dailies;
    const jobs = (
      await Promise.all(people.map((person, i) => fromGarmin({ dailies: [{ ...summary!, userId: person.externalUserId, summaryId: `split-${i}` }] })))
    ).flat();

    const first = await consume(jobs);
    // Every message is acknowledged: those not done now were sent on as new messages, not retried toward the dead letters.
    expect(first.verdict.explicitAcks).toEqual(first.ids);
    expect(first.verdict.retryMessages).toEqual([]);
    expect(first.handedOn.length).toBeGreaterThan(0);
    expect(first.handedOn.length).toBeLessThan(jobs.length);
    const afterFirst = await webhookRows(jobs);
    expect(afterFirst.filter((row) => row.status === "processed")).toHaveLength(jobs.length - first.handedOn.length);
    expect(
      afterFirst
        .filter((row) => row.status === "processing")
        .map((row) => row.eventId)
        .sort(),
    ).toEqual(first.handedOn.map((job) => job.event.eventId).sort());

    let handedOn = first.handedOn;
    for (let invocation = 0; handedOn.length > 0; invocation++) {
      expect(invocation).toBeLessThan(3);
      handedOn = (await consume(handedOn)).handedOn;
    }
    expect((await webhookRows(jobs)).map((row) => row.status)).toEqual(jobs.map(() => "processed"));
    for (const [i, person] of people.entries()) expect((await recordsOf(person.userId)).map((record) => record.externalId)).toEqual([`split-${i}`]);
  });

  it("a person's many pushes in one batch are one store into their UserHub, each event told how it went", async () => {
    const person = await connectedPerson("garmin");
    const [summary] = garminDailies.dailies;
    const jobs = (
      await Promise.all(Array.from({ length: 40 }, (_, i) => fromGarmin({ dailies: [{ ...summary!, userId: person.externalUserId, summaryId: `many-${i}` }] })))
    ).flat();

    const { verdict, ids, handedOn } = await consume(jobs);
    expect(verdict.explicitAcks).toEqual(ids);
    expect(handedOn).toEqual([]);
    expect((await recordsOf(person.userId)).map((record) => record.externalId).sort()).toEqual(jobs.map((_, i) => `many-${i}`).sort());
    const rows = await webhookRows(jobs);
    // Each copy of the example daily carries the same heart-rate samples (the same instants): one record each, stored once.
    const samples = Object.keys(summary!.timeOffsetHeartRateSamples).length;
    expect(rows.map((row) => row.detail)).toEqual(
      jobs.map(
        () => `${1 + samples} record(s), 0 skipped; stored with the batch's 40 event(s) for this connection: ${40 + samples} written (${40 + samples} new)`,
      ),
    );
    expect((await connectionOf(person.userId, "garmin")).lastSuccessAt).not.toBeNull();
  });

  it("drops a push for a person who disconnected after it was sent: nothing stored, the connection's sync times untouched", async () => {
    const person = await connectedPerson("garmin");
    const jobs = await fromGarmin({ dailies: garminDailies.dailies.map((summary) => ({ ...summary, userId: person.externalUserId })) });
    const before = await connectionOf(person.userId, "garmin");
    // The disconnect reached the person's UserHub (their tokens are gone) before it reached this event's D1 lookup.
    await runInDurableObject(hub(person.userId), async (_instance, state) => {
      state.storage.sql.exec("DELETE FROM vault_tokens WHERE source = 'garmin'");
    });

    const { verdict, ids } = await consume(jobs, { deps: { now: Date.now() + 60_000 } });

    expect(verdict.explicitAcks).toEqual(ids);
    expect(await recordsOf(person.userId)).toEqual([]);
    expect(await connectionOf(person.userId, "garmin")).toEqual(before);
  });

  it("stores an event that arrived too large for a message from R2, then deletes the object; a later redelivery leaves none behind", async () => {
    const person = await connectedPerson("garmin");
    const samples: Record<string, number> = {};
    for (let offset = 0; offset < 86_400; offset += 5) samples[String(offset)] = 60 + ((offset / 5) % 35);
    const [summary] = garminDailies.dailies;
    const push = { dailies: [{ ...summary!, userId: person.externalUserId, summaryId: `large-${crypto.randomUUID()}`, timeOffsetHeartRateSamples: samples }] };
    const [job] = await fromGarmin(push);
    expect(job).toMatchObject({ payloadKey: expect.any(String), event: { externalUserId: person.externalUserId } });
    expect(job!.event.pages).toBeUndefined();
    expect((await env.WEBHOOK_PAYLOADS.head(job!.payloadKey!))!.size).toBeGreaterThan(100_000);

    const { verdict } = await consume([job]);
    expect(verdict.explicitAcks).toHaveLength(1);
    const records = await recordsOf(person.userId);
    expect(records.map((record) => [record.kind, record.externalId])).toEqual([["daily_activity", push.dailies[0]!.summaryId]]);
    expect(Object.keys(JSON.parse(records[0]!.raw!).timeOffsetHeartRateSamples)).toHaveLength(86_400 / 5);
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "processed" })]);
    expect(await env.WEBHOOK_PAYLOADS.head(job!.payloadKey!)).toBeNull();

    // Garmin delivers the push again (our 200 was lost): the endpoint puts the object back, the consumer drops the
    // event as done and deletes it; the audit row stays 'processed' and nothing is stored twice.
    const [again] = await fromGarmin(push);
    expect(again!.payloadKey).toBe(job!.payloadKey);
    expect(await env.WEBHOOK_PAYLOADS.head(job!.payloadKey!)).not.toBeNull();
    expect((await consume([again])).verdict.explicitAcks).toHaveLength(1);
    expect(await env.WEBHOOK_PAYLOADS.head(job!.payloadKey!)).toBeNull();
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "processed" })]);
    expect(await recordsOf(person.userId)).toEqual(records);
  });
});

describe("Garmin pings (a callback to fetch)", () => {
  /** A 24-hour upload window, ending before now, in which the sandbox person's watch uploaded a daily. */
  async function uploadWindowWithData(person: Person) {
    const token = await issueSandboxAccessToken(env, "garmin", person.externalUserId);
    const fetchSandbox = createSandboxFetch(env);
    for (let hoursBack = 2; hoursBack < 72; hoursBack += 6) {
      const end = Math.floor(Date.now() / 1000) - hoursBack * 3600;
      const url = `https://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=${end - 86_400}&uploadEndTimeInSeconds=${end}&token=pull-token-from-garmin`;
      const body = (await (await fetchSandbox(url, { headers: { Authorization: `Bearer ${token}` } })).json()) as unknown[];
      if (body.length > 0) return { url, body };
    }
    throw new Error("the sandbox uploaded nothing in three days");
  }

  /** The Health API's ping, for this person and callback. */
  const ping = (person: Person, callbackURL: string) => ({ dailies: [{ ...garminPing.epochs[0]!, userId: person.externalUserId, callbackURL }, {}] });

  it("fetches the callback through the sandbox with the person's token and stores what it returns", async () => {
    const person = await connectedPerson("garmin");
    const { url, body } = await uploadWindowWithData(person);
    const [job] = await fromGarmin(ping(person, url));
    expect(job!.event).toMatchObject({ callbackUrl: url, callbackKind: "dailies" });

    const now = Date.now();
    const { verdict } = await consume([job], { deps: { now } });
    expect(verdict.explicitAcks).toHaveLength(1);
    // The sandbox derives a person's summaries from the subject of the token presented: these are this person's.
    const expected = normalizeGarmin("dailies", body).records;
    expect(expected.length).toBeGreaterThan(0);
    const byIdentity = (a: unknown[], b: unknown[]) => (`${a[0]}\u0000${a[1]}` < `${b[0]}\u0000${b[1]}` ? -1 : 1);
    const stored = (await recordsOf(person.userId)).map((record) => [record.kind, record.externalId, JSON.parse(record.data)]);
    expect(stored.sort(byIdentity)).toEqual(expected.map((record) => [record.kind, record.externalId, record.data]).sort(byIdentity));
    expect((await connectionOf(person.userId, "garmin")).lastSuccessAt).toBe(now);
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "processed" })]);
  });

  it("with a live connection, presents the person's token to Garmin's callback URL exactly", async () => {
    const person = await liveGarminPerson();
    const start = 1_444_937_651;
    const url = `https://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=${start}&uploadEndTimeInSeconds=${start + 251}&token=XXXXXXXXX`;
    const [job] = await fromGarmin(ping(person, url));
    const calls: Request[] = [];
    const summary = { ...garminDailies.dailies[0]!, userId: person.externalUserId };
    const { verdict } = await consume([job], {
      deps: {
        fetch: async (input, init) => {
          calls.push(new Request(input, init));
          return Response.json([summary]);
        },
      },
    });
    expect(verdict.explicitAcks).toHaveLength(1);
    expect(calls.map((request) => [request.method, request.url, request.headers.get("Authorization")])).toEqual([["GET", url, `Bearer ${person.accessToken}`]]);
    expect((await recordsOf(person.userId)).map((record) => record.externalId)).toEqual([" EXAMPLE_67891"]);
  });

  it("skips a callback URL that is not Garmin's and fetches nothing", async () => {
    const person = await liveGarminPerson();
    const [job] = await fromGarmin(
      ping(person, "https://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=1444937651&uploadEndTimeInSeconds=1444937902"),
    );
    let fetched = 0;
    const deps: WebhookDeps = {
      fetch: async () => {
        fetched++;
        return Response.json([]);
      },
    };
    // The endpoint refuses such pings; the consumer must hold even if one reached the queue.
    for (const [i, forged] of [
      "https://apis.garmin.com.attacker.example/wellness-api/rest/dailies?x=1",
      "http://apis.garmin.com/wellness-api/rest/dailies",
      "https://attacker.example/collect",
    ].entries()) {
      // Each its own event, so none is dropped as a repeat of the one before.
      const forgedJob = { ...job!, event: { ...job!.event, eventId: `${job!.event.eventId}:${i}`, callbackUrl: forged } };
      const { verdict } = await consume([forgedJob], { deps });
      expect(verdict.explicitAcks, forged).toHaveLength(1);
      expect(await webhookRows([forgedJob])).toEqual([expect.objectContaining({ status: "skipped", detail: "callback URL is not the provider's" })]);
    }
    expect(fetched).toBe(0);
    expect(await recordsOf(person.userId)).toEqual([]);
  });

  it("retries the message when Garmin answers the callback with a 5xx, writing nothing", async () => {
    const person = await liveGarminPerson();
    const before = await connectionOf(person.userId, "garmin");
    const url = "https://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=1444937651&uploadEndTimeInSeconds=1444937902&token=XXXXXXXXX";
    const [job] = await fromGarmin(ping(person, url));
    const unavailable = (status: number, headers: Record<string, string> = {}) => ({ fetch: async () => new Response("upstream error", { status, headers }) });

    const { verdict, ids, delays } = await consume([job], { deps: unavailable(503), attempts: 2 });
    expect(verdict.explicitAcks).toEqual([]);
    expect(verdict.retryMessages).toEqual([{ msgId: ids[0] }]);
    // Exponential backoff for a second attempt: 60 s ± 20 %.
    expect(delays.get(ids[0]!)).toBeGreaterThanOrEqual(48);
    expect(delays.get(ids[0]!)).toBeLessThanOrEqual(72);
    expect(await recordsOf(person.userId)).toEqual([]);
    expect(await connectionOf(person.userId, "garmin")).toEqual(before);
    // Claimed, not finished: the retry will process it.
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "processing" })]);

    // Garmin's Retry-After is honoured.
    const throttled = await consume([job], { deps: unavailable(503, { "Retry-After": "120" }) });
    expect(throttled.verdict.retryMessages).toEqual([{ msgId: throttled.ids[0] }]);
    expect(throttled.delays.get(throttled.ids[0]!)).toBe(120);
    expect(await recordsOf(person.userId)).toEqual([]);
  });

  it("does not retry a callback Garmin refuses for good (412: the person turned that permission off)", async () => {
    const person = await liveGarminPerson();
    const before = await connectionOf(person.userId, "garmin");
    const url = "https://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=1444937651&uploadEndTimeInSeconds=1444937902&token=XXXXXXXXX";
    const [job] = await fromGarmin(ping(person, url));
    let calls = 0;
    const { verdict, ids } = await consume([job], {
      deps: {
        fetch: async () => {
          calls++;
          return Response.json({ errorMessage: "User has not granted permission" }, { status: 412 });
        },
      },
    });
    expect(verdict.explicitAcks).toEqual(ids);
    expect(verdict.retryMessages).toEqual([]);
    expect(calls).toBe(1);
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "failed", detail: "the provider refused the callback (412)" })]);
    expect(await recordsOf(person.userId)).toEqual([]);
    expect(await connectionOf(person.userId, "garmin")).toEqual(before);
  });
});

describe("notifications that change the connection", () => {
  it("Garmin deregistration: disconnects, forgets the person's tokens and records the consent as withdrawn", async () => {
    const person = await connectedPerson("garmin");
    expect(await hubHoldsTokens(person.userId, "garmin")).toBe(true);
    const [job] = await fromGarmin({ deregistrations: garminDeregistrations.deregistrations.map(() => ({ userId: person.externalUserId })) });
    expect(job!.event.deregistration).toBe(true);

    const { verdict } = await consume([job]);
    expect(verdict.explicitAcks).toHaveLength(1);
    const connection = await connectionOf(person.userId, "garmin");
    expect(connection).toMatchObject({ status: "disconnected", nextSyncAt: null, lastError: "Access was removed in your Garmin account." });
    expect(await hubHoldsTokens(person.userId, "garmin")).toBe(false);
    const consent = await db()
      .select()
      .from(consents)
      .where(and(eq(consents.userId, person.userId), eq(consents.sourceId, "garmin")));
    expect(consent.length).toBeGreaterThan(0);
    expect(consent.every((row) => row.revokedAt !== null)).toBe(true);
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "processed" })]);
  });

  it("a push and then a deregistration for the same person in one batch: the push is stored before the connection ends", async () => {
    const person = await connectedPerson("garmin");
    const pushed = await fromGarmin({ dailies: [{ ...garminDailies.dailies[0]!, userId: person.externalUserId, summaryId: "before-leaving" }] });
    const [gone] = await fromGarmin({ deregistrations: [{ userId: person.externalUserId }] });

    const { verdict, ids } = await consume([...pushed, gone]);
    expect(verdict.explicitAcks).toEqual(ids);
    expect((await connectionOf(person.userId, "garmin")).status).toBe("disconnected");
    expect((await recordsOf(person.userId)).map((record) => record.externalId)).toEqual(["before-leaving"]);
    expect((await webhookRows([...pushed, gone!])).map((row) => row.status)).toEqual(["processed", "processed"]);
  });

  it("a deregistration and a later push for the same person in one batch: the push finds nobody connected and stores nothing", async () => {
    const person = await connectedPerson("garmin");
    const [gone] = await fromGarmin({ deregistrations: [{ userId: person.externalUserId }] });
    const pushed = await fromGarmin({ dailies: [{ ...garminDailies.dailies[0]!, userId: person.externalUserId, summaryId: `after-${crypto.randomUUID()}` }] });

    const { verdict, ids } = await consume([gone, ...pushed]);
    expect(verdict.explicitAcks).toEqual(ids);
    expect((await connectionOf(person.userId, "garmin")).status).toBe("disconnected");
    expect(await recordsOf(person.userId)).toEqual([]);
    expect((await webhookRows([gone!, ...pushed])).map((row) => [row.status, row.detail])).toEqual([
      ["processed", expect.stringContaining("access removed at the provider")],
      ["skipped", "no connected person with that provider id"],
    ]);
  });

  it("Google Health DELETE without data (a revoked grant): disconnects the Fitbit connection and forgets its tokens", async () => {
    const person = await connectedPerson("fitbit");
    const [job] = await fromGoogle({ data: { ...fitbitSteps.data, healthUserId: person.externalUserId, operation: "DELETE", intervals: [] } });
    const { verdict, syncJobs } = await consume([job]);
    expect(verdict.explicitAcks).toHaveLength(1);
    expect(syncJobs).toEqual([]);
    expect((await connectionOf(person.userId, "fitbit")).status).toBe("disconnected");
    expect(await hubHoldsTokens(person.userId, "fitbit")).toBe(false);
  });

  it("many events for one person that carry nothing to store fit one invocation: a person's store is counted once", async () => {
    const person = await connectedPerson("garmin");
    const [change] = garminPermissionsChange.userPermissionsChange;
    const jobs = (
      await Promise.all(
        Array.from({ length: 40 }, () =>
          fromGarmin({ userPermissionsChange: [{ ...change!, userId: person.externalUserId, summaryId: `${change!.summaryId}-${crypto.randomUUID()}` }] }),
        ),
      )
    ).flat();

    const { verdict, ids, handedOn } = await consume(jobs);
    expect(verdict.explicitAcks).toEqual(ids);
    expect(handedOn).toEqual([]);
    expect((await webhookRows(jobs)).map((row) => row.status)).toEqual(jobs.map(() => "skipped"));
  });

  it("Garmin permission change: skipped, the connection untouched and nothing fetched or stored", async () => {
    const person = await connectedPerson("garmin");
    const before = await connectionOf(person.userId, "garmin");
    const [change] = garminPermissionsChange.userPermissionsChange;
    const [job] = await fromGarmin({
      userPermissionsChange: [{ ...change!, userId: person.externalUserId, summaryId: `${change!.summaryId}-${crypto.randomUUID()}` }],
    });
    expect(job!.event).toEqual({ eventId: expect.any(String), externalUserId: person.externalUserId });

    const { verdict, syncJobs } = await consume([job]);
    expect(verdict.explicitAcks).toHaveLength(1);
    expect(syncJobs).toEqual([]);
    expect(await connectionOf(person.userId, "garmin")).toEqual(before);
    expect(await hubHoldsTokens(person.userId, "garmin")).toBe(true);
    expect(await recordsOf(person.userId)).toEqual([]);
    expect(await webhookRows([job!])).toEqual([expect.objectContaining({ status: "skipped" })]);
  });
});

describe("messages that lead nowhere", () => {
  it("skips events for a provider id nobody here is connected with, writing nothing", async () => {
    const stranger = `garmin-stranger-${crypto.randomUUID()}`;
    const summaryId = `stranger-${crypto.randomUUID()}`;
    const pushed = await fromGarmin({ dailies: [{ ...garminDailies.dailies[0]!, userId: stranger, summaryId }] });
    const repull = await fromWhoop({ ...whoopSleepUpdated, user_id: 9_999_999_999, trace_id: crypto.randomUUID() });
    const jobs = [...pushed, ...repull];

    const { verdict, ids, syncJobs } = await consume(jobs);
    expect(verdict.explicitAcks).toEqual(ids);
    expect(syncJobs).toEqual([]);
    expect((await webhookRows(jobs)).map((row) => [row.status, row.detail])).toEqual(jobs.map(() => ["skipped", "no connected person with that provider id"]));
  });

  it("costs a batch the same D1 statements whether it holds one event or ten: the ledger and the lookup are per batch", async () => {
    const strangers = async (n: number) =>
      (await Promise.all(Array.from({ length: n }, () => fromWhoop({ ...whoopSleepUpdated, user_id: 9_999_999_999, trace_id: crypto.randomUUID() })))).flat();
    const one = countingD1(env.DB);
    await consume(await strangers(1), { d1: one.binding });
    const ten = countingD1(env.DB);
    const jobs = await strangers(10);
    const { verdict, ids } = await consume(jobs, { d1: ten.binding });

    expect(verdict.explicitAcks).toEqual(ids);
    expect((await webhookRows(jobs)).map((row) => row.status)).toEqual(jobs.map(() => "skipped"));
    expect(one.statements()).toBeGreaterThan(0);
    expect(ten.statements()).toBe(one.statements());
  });

  it("acknowledges a message that is not a webhook job (it can never succeed) and writes nothing", async () => {
    const person = await connectedPerson("garmin");
    const [job] = await fromGarmin({ dailies: [{ ...garminDailies.dailies[0]!, userId: person.externalUserId }] });
    const { eventId: _dropped, ...eventWithoutId } = job!.event;
    const invalid = [{ ...job!, event: eventWithoutId }, { ...job!, type: "sync" }, { ...job!, source: "strava" }, "not json at all", null];

    const { verdict, ids } = await consume(invalid);
    expect(verdict.explicitAcks).toEqual(ids);
    expect(verdict.retryMessages).toEqual([]);
    expect(await recordsOf(person.userId)).toEqual([]);
    expect(await webhookRows([job!])).toEqual([]);
  });
});
