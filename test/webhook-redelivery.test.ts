import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { consumeWebhookBatch } from "../queues/webhook-consumer";
import { createApp } from "../src/app";
import { integrationConnections, webhookEvents } from "../src/db/schema";
import garminDailies from "../src/providers/garmin/fixtures/dtu-push-dailies.json";
import { normalizeGarmin } from "../src/providers/garmin/normalize";
import type { SyncJob, WebhookJob } from "../src/sync/jobs";
import { connectThroughSandbox, db, recordingQueue, signIn } from "./helpers";
import { storedRecords as storedInHub } from "./records/inspect";

/**
 * At least once in, exactly once in effect. Garmin pushes (two summaries inline, one large enough to travel through
 * R2) go through the real endpoint; their messages are handed to the consumer with real local D1 and R2, as the
 * queue delivers them: a message the consumer did not acknowledge is delivered again.
 */

const ORIGIN = "https://integrations.wellness-os.example";
const GARMIN_WEBHOOK_SECRET = "garmin-endpoint-secret-for-redelivery-tests";

async function connectedGarminPerson() {
  const session = await signIn();
  const done = await connectThroughSandbox("garmin", session, { callbackEnv: { SYNC_QUEUE: recordingQueue<SyncJob>() } });
  expect(done.status).toBe(303);
  const [connection] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "garmin")));
  return { userId: session.userId, externalUserId: connection!.externalUserId! };
}

let pushes = 0;
const PUSH_WINDOWS = new Map<string, { start: number; end: number }>();

/** Three of the person's dailies, the last with a day of 5-second heart-rate samples (over 100 KB: R2). */
function push(externalUserId: string) {
  const tag = crypto.randomUUID();
  const samples: Record<string, number> = {};
  for (let offset = 0; offset < 86_400; offset += 5) samples[String(offset)] = 60 + ((offset / 5) % 35);
  const template = garminDailies.dailies[0]!;
  // Each push covers its own three days, so its heart-rate samples (keyed by instant) are its own too.
  const start = template.startTimeInSeconds + 3 * 86_400 * (1 + pushes++);
  const dailies = [0, 1, 2].map((i) => ({
    ...template,
    userId: externalUserId,
    summaryId: `${tag}-${i}`,
    startTimeInSeconds: start + i * 86_400,
    ...(i === 2 ? { timeOffsetHeartRateSamples: samples } : {}),
  }));
  PUSH_WINDOWS.set(tag, { start: start * 1000, end: (start + 3 * 86_400) * 1000 });
  const expected = normalizeGarmin("dailies", { dailies }).records.map((record) => `${record.kind}|${record.externalId}`);
  return { body: { dailies }, tag, expected };
}

async function deliver(body: unknown): Promise<WebhookJob[]> {
  const queue = recordingQueue<WebhookJob>();
  const ctx = createExecutionContext();
  const request = new Request(`${ORIGIN}/webhooks/garmin?token=${GARMIN_WEBHOOK_SECRET}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const response = await createApp().fetch(request, { ...env, GARMIN_WEBHOOK_SECRET, WEBHOOK_QUEUE: queue }, ctx);
  await waitOnExecutionContext(ctx);
  expect(response.status).toBe(200);
  return queue.sent;
}

/**
 * D1 as an isolate that dies after `survives` statements sees it: every later statement fails (a batch counts as
 * one). The consumer's own error handling may still run, as it would not after a real death; either way what it
 * did not acknowledge is delivered again, which is what the queue guarantees.
 */
function dyingD1(d1: D1Database, survives: number): { binding: D1Database; died: () => boolean } {
  let ran = 0;
  const step = () => {
    if (ran++ >= survives) throw new Error("the isolate died");
  };
  const statement = (inner: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(inner, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => statement(value.apply(target, args));
        if (property === "all" || property === "run" || property === "first" || property === "raw") {
          return (...args: unknown[]) => {
            step();
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
  const originals = new WeakMap<object, D1PreparedStatement>();
  const binding = new Proxy(d1, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          const inner = target.prepare(query);
          const wrapped = statement(inner);
          originals.set(wrapped, inner);
          return wrapped;
        };
      }
      if (property === "batch") {
        return (list: D1PreparedStatement[]) => {
          step();
          return target.batch(list.map((item) => originals.get(item) ?? item));
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { binding, died: () => ran > survives };
}

/** One delivery of `jobs` to the consumer; which messages it acknowledged (the rest come back). */
async function consume(jobs: readonly WebhookJob[], d1: D1Database = env.DB, now = Date.now()) {
  const messages = jobs.map((body) => ({ id: `msg-${crypto.randomUUID()}`, timestamp: now, attempts: 1, body }));
  const batch = createMessageBatch("wellness-webhooks", messages);
  const ctx = createExecutionContext();
  let threw = false;
  try {
    await consumeWebhookBatch(batch, { ...env, DB: d1, SYNC_QUEUE: recordingQueue<SyncJob>() }, { now });
  } catch {
    // The invocation failed as a whole: the queue delivers every message it did not acknowledge again.
    threw = true;
  }
  const { explicitAcks } = await getQueueResult(batch, ctx);
  return {
    acked: jobs.filter((_, i) => explicitAcks.includes(messages[i]!.id)),
    unacked: jobs.filter((_, i) => !explicitAcks.includes(messages[i]!.id)),
    threw,
  };
}

/**
 * The person's Garmin records of this push, from their UserHub's record store: the dailies (whose ids start with
 * `tag`) and the heart-rate samples they carried (keyed by instant, inside the push's own three days).
 */
async function storedRecords(userId: string, tag: string) {
  const window = PUSH_WINDOWS.get(tag)!;
  const rows = await storedInHub(userId, { source: "garmin" });
  return rows
    .map((row) => ({ ...row, externalId: row.external_id }))
    .filter((row) => row.externalId.startsWith(tag) || (row.kind === "heart_rate" && row.start_time >= window.start && row.start_time < window.end));
}

const ledgerRows = (jobs: readonly WebhookJob[]) =>
  db()
    .select()
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.provider, "garmin"),
        inArray(
          webhookEvents.eventId,
          jobs.map((job) => job.event.eventId),
        ),
      ),
    );

describe("a consumer that dies mid-batch, and the redelivery", () => {
  it("loses nothing and duplicates nothing, wherever it dies", async () => {
    const person = await connectedGarminPerson();
    let survives = 0;
    for (; ; survives++) {
      expect(survives, "the batch should complete within 40 statements").toBeLessThan(40);
      const { body, tag, expected } = push(person.externalUserId);
      const jobs = await deliver(body);
      expect(jobs.map((job) => job.payloadKey === undefined)).toEqual([true, true, false]);

      const dying = dyingD1(env.DB, survives);
      const first = await consume(jobs, dying.binding);
      let pending = first.unacked;
      for (let redelivery = 0; pending.length > 0; redelivery++) {
        expect(redelivery, `died after ${survives}: redelivered until acknowledged`).toBeLessThan(3);
        pending = (await consume(pending)).unacked;
      }

      const stored = await storedRecords(person.userId, tag);
      expect(stored.map((record) => `${record.kind}|${record.externalId}`).sort(), `died after ${survives} statements`).toEqual([...expected].sort());
      const rows = await ledgerRows(jobs);
      expect(
        rows.map((row) => row.status),
        `died after ${survives} statements`,
      ).toEqual(["processed", "processed", "processed"]);
      expect(await env.WEBHOOK_PAYLOADS.head(jobs[2]!.payloadKey!), `died after ${survives} statements`).toBeNull();
      if (!dying.died()) break;
    }
    // It died at every step from the first statement on (the claim with the connection lookup, the sync times, the
    // outcomes: a batch's D1 round trips, whatever its size), and the last run went through undisturbed.
    expect(survives).toBeGreaterThanOrEqual(3);
    // Each round stores a day of 5-second heart-rate samples (17,280 records): slow on a loaded machine, never timed.
  }, 180_000);
});

describe("a redelivered event", () => {
  it("that the consumer claimed but did not finish is processed, not dropped", async () => {
    const person = await connectedGarminPerson();
    const { body, tag, expected } = push(person.externalUserId);
    const jobs = await deliver(body);

    // The claim (one batch) goes through and the work is done; the isolate dies on the next statement, before any
    // event is finished or acknowledged.
    const first = await consume(jobs, dyingD1(env.DB, 1).binding);
    expect(first.acked).toEqual([]);
    expect((await ledgerRows(jobs)).map((row) => row.status)).toEqual(["processing", "processing", "processing"]);

    const again = await consume(jobs);
    expect(again.acked).toEqual(jobs);
    expect((await ledgerRows(jobs)).map((row) => row.status)).toEqual(["processed", "processed", "processed"]);
    expect((await storedRecords(person.userId, tag)).map((record) => `${record.kind}|${record.externalId}`).sort()).toEqual([...expected].sort());
  });

  it("after it finished is acknowledged and changes nothing", async () => {
    const person = await connectedGarminPerson();
    const { body, tag } = push(person.externalUserId);
    const jobs = await deliver(body);
    const now = Date.now();
    expect((await consume(jobs, env.DB, now)).acked).toEqual(jobs);
    const records = await storedRecords(person.userId, tag);
    const rows = await ledgerRows(jobs);
    const [connection] = await db()
      .select()
      .from(integrationConnections)
      .where(and(eq(integrationConnections.userId, person.userId), eq(integrationConnections.sourceId, "garmin")));

    // The provider delivers the whole push again an hour later (our answer was lost): the same events, queued anew.
    const redelivered = await deliver(body);
    const later = await consume(redelivered, env.DB, now + 3_600_000);
    expect(later.acked).toEqual(redelivered);
    // Records, the audit rows and the connection's sync times would all move had anything been handled again.
    expect(await storedRecords(person.userId, tag)).toEqual(records);
    expect(await ledgerRows(jobs)).toEqual(rows);
    expect((await db().select().from(integrationConnections).where(eq(integrationConnections.id, connection!.id)))[0]).toEqual(connection);
    expect(await env.WEBHOOK_PAYLOADS.head(redelivered[2]!.payloadKey!)).toBeNull();
  });
});
