import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { consumeDeadLetters } from "../queues/dead-letter-consumer";
import { enqueueDueSyncs } from "../queues/scheduler";
import { consumeSyncBatch } from "../queues/sync-consumer";
import { integrationConnections, syncRuns, webhookEvents } from "../src/db/schema";
import type { SourceId } from "../src/domain/integration";
import { ouraSync } from "../src/providers/oura/sync";
import { createSandboxFetch } from "../src/sandbox/fetch";
import { issueSandboxAccessToken } from "../src/sandbox/grants";
import type { SyncJob } from "../src/sync/jobs";
import { backoffSeconds, runSyncJob, type SyncDeps, type TokenVaultClient } from "../src/sync/run";
import { backfillWindows, scheduledWindow } from "../src/sync/schedule";
import { connectThroughSandbox, db, recordingQueue, seedConnection, signIn } from "./helpers";
import { holdTokens, storedCount, storedKinds } from "./records/inspect";

const DAY = 86_400_000;

async function connection(userId: string, source: SourceId) {
  const [row] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, source)));
  return row!;
}

async function recordCount(userId: string, source?: SourceId) {
  return storedCount(userId, source);
}

async function kindsStored(userId: string) {
  return (await storedKinds(userId)).map((kind) => ({ kind }));
}

/** Runs jobs through the real consumer, as the queue would deliver them, and returns the queue's verdict. */
async function consume(jobs: SyncJob[], attempts = 1, deps: SyncDeps = {}) {
  const batch = createMessageBatch(
    "wellness-sync",
    jobs.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await consumeSyncBatch(batch, env, deps);
  return getQueueResult(batch, ctx);
}

describe("backfill after connecting (sandbox Oura, end to end)", () => {
  it("splits 30 days into jobs that each fit the budget, stores every kind once, and a replay changes nothing", async () => {
    const session = await signIn();
    const syncQueue = recordingQueue<SyncJob>();
    const done = await connectThroughSandbox("oura", session, { callbackEnv: { SYNC_QUEUE: syncQueue } });
    expect(done.status).toBe(303);

    const jobs = syncQueue.sent;
    expect(jobs).toHaveLength(Math.ceil(ouraSync.backfillDays / ouraSync.backfillJobDays));
    expect(jobs.every((job) => job.trigger === "backfill" && job.window.end - job.window.start <= ouraSync.backfillJobDays * DAY)).toBe(true);
    // Newest window first, so the person sees recent days soonest; together they cover 30 days without gaps.
    const windows = jobs.map((job) => job.window);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.end).toBe(windows[i - 1]!.start);
    const queuedRuns = await db().select().from(syncRuns).where(eq(syncRuns.userId, session.userId));
    expect(queuedRuns.map((run) => run.status)).toEqual(jobs.map(() => "queued"));

    const verdict = await consume(jobs);
    expect(verdict.explicitAcks).toHaveLength(jobs.length);
    expect(verdict.retryMessages).toEqual([]);
    const runs = await db().select().from(syncRuns).where(eq(syncRuns.userId, session.userId));
    expect(runs.every((run) => run.status === "succeeded")).toBe(true);

    const stored = await recordCount(session.userId, "oura");
    const kinds = await kindsStored(session.userId);
    expect(kinds.map((k) => k.kind).sort()).toEqual(["daily_activity", "daily_sleep", "heart_rate", "hrv", "readiness", "sleep_session"]);
    expect(stored).toBe(runs.reduce((sum, run) => sum + run.recordsUpserted, 0));
    expect((await connection(session.userId, "oura")).lastSuccessAt).toBeGreaterThan(0);

    // The queue delivers at least once: the same jobs again write nothing and duplicate nothing.
    const replay = jobs.map((job) => ({ ...job, runId: `${job.runId}-replay` }));
    await consume(replay);
    expect(await recordCount(session.userId, "oura")).toBe(stored);
    const replayRuns = await db()
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.userId, session.userId)));
    expect(replayRuns.filter((run) => run.id.endsWith("-replay")).every((run) => run.status === "succeeded" && run.recordsUpserted === 0)).toBe(true);
    // Ten real backfill jobs end to end: slow on a loaded machine, never timed.
  }, 30_000);

  it("asks Garmin to push its history instead of pulling it", async () => {
    const session = await signIn();
    const syncQueue = recordingQueue<SyncJob>();
    await connectThroughSandbox("garmin", session, { callbackEnv: { SYNC_QUEUE: syncQueue } });
    expect(syncQueue.sent).toHaveLength(1);
    expect(syncQueue.sent[0]).toMatchObject({ action: "request_backfill", trigger: "backfill" });
    expect(syncQueue.sent[0]!.window.end - syncQueue.sent[0]!.window.start).toBe(30 * DAY);
    await consume(syncQueue.sent);
    const [run] = await db().select().from(syncRuns).where(eq(syncRuns.id, syncQueue.sent[0]!.runId));
    expect(run?.status).toBe("succeeded");
  });
});

describe("faults from the provider: nothing lost, nothing duplicated", () => {
  /** A live-mode Oura connection whose provider calls go through `fault` in front of the sandbox. */
  const NOW = Date.now();
  async function liveOura(fault: (request: Request, inner: typeof fetch) => Promise<Response>, subject = `sbx-fault-${crypto.randomUUID().slice(0, 8)}`) {
    const session = await signIn();
    await seedConnection(session.userId, "oura", "connected", { mode: "live", externalUserId: subject });
    // The token comes from the fake vault below; the real one only has to say Oura is connected, so the person's
    // record store takes the batches.
    await holdTokens(session.userId, "oura");
    const row = await connection(session.userId, "oura");
    const token = await issueSandboxAccessToken(env, "oura", subject);
    let refreshes = 0;
    const hub: TokenVaultClient = {
      async getAccessToken(_userId, _source, options) {
        if (options?.forceRefresh) refreshes++;
        return { ok: true, accessToken: token, expiresAt: null, context: {}, mode: "live" };
      },
    };
    const sandbox = createSandboxFetch(env);
    const fetcher = ((input: RequestInfo | URL, init?: RequestInit) => fault(new Request(input, init), sandbox)) as typeof fetch;
    const now = NOW;
    const job: SyncJob = {
      type: "sync",
      connectionId: row.id,
      userId: session.userId,
      source: "oura",
      trigger: "cron",
      window: { start: now - 2 * DAY, end: now },
      runId: `run_${crypto.randomUUID()}`,
    };
    const run = (attempt = 1, runId = job.runId) => runSyncJob(env, { ...job, runId }, { fetch: fetcher, hub: () => hub, attempt, now });
    return { session, job, run, refreshes: () => refreshes, deps: { fetch: fetcher, hub: () => hub, now } satisfies SyncDeps };
  }

  /** What the same person's same window holds when nothing goes wrong. */
  async function cleanCount(subject: string) {
    const reference = await liveOura((request, inner) => inner(request), subject);
    const outcome = await reference.run();
    expect(outcome.kind).toBe("done");
    const count = await recordCount(reference.session.userId);
    expect(count).toBeGreaterThan(0);
    return count;
  }

  it("429 with Retry-After: the job is retried after exactly that delay, then completes without duplicates", async () => {
    let calls = 0;
    const subject = `sbx-429-${crypto.randomUUID().slice(0, 8)}`;
    const faulty = await liveOura(
      async (request, inner) => (++calls === 3 ? new Response("slow down", { status: 429, headers: { "Retry-After": "120" } }) : inner(request)),
      subject,
    );
    const first = await faulty.run();
    expect(first).toEqual({ kind: "retry", delaySeconds: 120, reason: expect.stringContaining("rate_limited") });
    const [run] = await db().select().from(syncRuns).where(eq(syncRuns.id, faulty.job.runId));
    expect(run).toMatchObject({ status: "queued", error: "Oura Ring asked us to slow down; retrying in 120 s." });
    // Through the consumer the message is retried, not acked (the delay it passes is the outcome's, above; the
    // test harness records which messages were retried but not their delays).
    calls = 2;
    const verdict = await consume([faulty.job], 1, faulty.deps);
    expect(verdict.retryMessages).toHaveLength(1);
    expect(verdict.explicitAcks).toEqual([]);

    const second = await faulty.run(2);
    expect(second.kind).toBe("done");
    expect(await recordCount(faulty.session.userId)).toBe(await cleanCount(subject));
  });

  it("5xx and timeouts: retried with exponential backoff; the connection stays connected", async () => {
    for (const failure of [() => new Response("oops", { status: 503 }), () => Promise.reject(new DOMException("timed out", "TimeoutError"))]) {
      const faulty = await liveOura(async () => failure());
      const outcome = await faulty.run(3);
      expect(outcome.kind).toBe("retry");
      if (outcome.kind === "retry") {
        expect(outcome.delaySeconds).toBeGreaterThanOrEqual(96);
        expect(outcome.delaySeconds).toBeLessThanOrEqual(144);
      }
      expect((await connection(faulty.session.userId, "oura")).status).toBe("connected");
    }
    expect(backoffSeconds(1, () => 0.5)).toBe(30);
    expect(backoffSeconds(2, () => 0.5)).toBe(60);
    expect(backoffSeconds(20, () => 0.5)).toBe(3600);
  });

  it("401: one forced refresh and a retry; a second 401 marks the connection needs_reauth", async () => {
    let calls = 0;
    const recovers = await liveOura(async (request, inner) => (++calls === 1 ? new Response("expired", { status: 401 }) : inner(request)));
    expect((await recovers.run()).kind).toBe("done");
    expect(recovers.refreshes()).toBe(1);

    const revoked = await liveOura(async () => new Response("revoked", { status: 401 }));
    const outcome = await revoked.run();
    expect(outcome).toEqual({ kind: "failed", reason: "Oura Ring refused Wellness OS's access. Reconnect to resume syncing." });
    expect(revoked.refreshes()).toBe(1);
    expect(await connection(revoked.session.userId, "oura")).toMatchObject({
      status: "needs_reauth",
      statusReason: "Oura Ring refused Wellness OS's access. Reconnect to resume syncing.",
    });
    expect(await recordCount(revoked.session.userId)).toBe(0);
  });

  it("malformed and truncated bodies: the rest is stored, the run is partial, the cursor stays for a re-pull", async () => {
    for (const corrupt of [async () => new Response('{"data": 12}'), async (r: Response) => new Response((await r.text()).slice(0, 40))]) {
      const faulty = await liveOura(async (request, inner) => {
        const response = await inner(request);
        return new URL(request.url).pathname.endsWith("/daily_readiness") ? corrupt(response) : response;
      });
      const before = await connection(faulty.session.userId, "oura");
      const outcome = await faulty.run();
      expect(outcome).toMatchObject({ kind: "done", status: "partial" });
      const after = await connection(faulty.session.userId, "oura");
      expect(after.syncCursor).toBe(before.syncCursor);
      expect(after.lastError).toBe("Some Oura Ring data was not in the expected form and was skipped.");
      const kinds = await kindsStored(faulty.session.userId);
      expect(kinds.map((k) => k.kind)).not.toContain("readiness");
      expect(kinds.map((k) => k.kind)).toContain("daily_sleep");
      const [run] = await db().select().from(syncRuns).where(eq(syncRuns.id, faulty.job.runId));
      expect(run?.status).toBe("partial");
      expect(run?.error).toContain("daily_readiness");
    }
  });

  it("a job larger than one invocation's budget is split in two", async () => {
    const session = await signIn();
    const subject = `sbx-big-${crypto.randomUUID().slice(0, 8)}`;
    await seedConnection(session.userId, "oura", "connected", { mode: "live" });
    const row = await connection(session.userId, "oura");
    const token = await issueSandboxAccessToken(env, "oura", subject);
    const hub: TokenVaultClient = { getAccessToken: async () => ({ ok: true, accessToken: token, expiresAt: null, context: {}, mode: "live" }) };
    const now = Date.now();
    // Thirty days of 5-minute heart rate in one window needs far more than 46 requests.
    const job: SyncJob = {
      type: "sync",
      connectionId: row.id,
      userId: session.userId,
      source: "oura",
      trigger: "manual",
      window: { start: now - 30 * DAY, end: now },
      runId: `run_${crypto.randomUUID()}`,
    };
    const outcome = await runSyncJob(env, job, { fetch: createSandboxFetch(env), hub: () => hub, now });
    expect(outcome.kind).toBe("split");
    if (outcome.kind === "split") {
      expect(outcome.windows[0]).toEqual({ start: job.window.start, end: job.window.start + 15 * DAY });
      expect(outcome.windows[1]).toEqual({ start: job.window.start + 15 * DAY, end: job.window.end });
    }
  });
});

describe("the cron", () => {
  it("enqueues exactly the due connections it may sync, claims them, and never enqueues one twice", async () => {
    const session = await signIn();
    const now = Date.now();
    await seedConnection(session.userId, "oura", "connected", { nextSyncAt: now - 1000, syncCursor: JSON.stringify({ syncedThrough: now - 3600_000 }) });
    await seedConnection(session.userId, "whoop", "error", { nextSyncAt: now - 1000, statusReason: "kept failing" });
    await seedConnection(session.userId, "fitbit", "connected", { nextSyncAt: now + 600_000 });
    await seedConnection(session.userId, "garmin", "needs_reauth", { nextSyncAt: now - 1000, statusReason: "reconnect" });
    await seedConnection(session.userId, "dexcom", "disconnected", { nextSyncAt: now - 1000 });
    await seedConnection(session.userId, "epic", "connected", { nextSyncAt: null });

    const queue = recordingQueue<SyncJob>();
    const count = await enqueueDueSyncs({ ...env, SYNC_QUEUE: queue }, now);
    const mine = queue.sent.filter((job) => job.userId === session.userId);
    expect(mine.map((job) => job.source).sort()).toEqual(["oura", "whoop"]);
    expect(count).toBeGreaterThanOrEqual(2);
    const oura = mine.find((job) => job.source === "oura")!;
    // From the cursor, less Oura's revision lookback, to now.
    expect(oura.window).toEqual(scheduledWindow(ouraSync, { syncedThrough: now - 3600_000 }, now));
    expect(oura.trigger).toBe("cron");
    expect((await connection(session.userId, "oura")).nextSyncAt).toBe(now + 30 * 60_000);

    const again = recordingQueue<SyncJob>();
    await enqueueDueSyncs({ ...env, SYNC_QUEUE: again }, now + 1000);
    expect(again.sent.filter((job) => job.userId === session.userId)).toEqual([]);
  });

  it("plans windows no larger than a job, newest first", () => {
    const now = Date.UTC(2026, 10, 25);
    const windows = backfillWindows(ouraSync, now);
    expect(windows).toHaveLength(6);
    expect(windows[0]).toEqual({ start: now - 5 * DAY, end: now });
    expect(windows.at(-1)).toEqual({ start: now - 30 * DAY, end: now - 25 * DAY });
  });
});

describe("the dead-letter queue", () => {
  it("turns a job that failed every attempt into an error the person can read, and keeps it scheduled", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "whoop", "connected");
    const row = await connection(session.userId, "whoop");
    const job: SyncJob = {
      type: "sync",
      connectionId: row.id,
      userId: session.userId,
      source: "whoop",
      trigger: "cron",
      window: { start: 0, end: 1 },
      runId: `run_${crypto.randomUUID()}`,
    };
    await db().insert(syncRuns).values({
      id: job.runId,
      connectionId: row.id,
      userId: session.userId,
      sourceId: "whoop",
      trigger: "cron",
      status: "queued",
      startedAt: Date.now(),
      error: "WHOOP had a problem; retrying in 240 s.",
    });
    // A webhook the consumer claimed (and then kept failing on), and one it never got to claim.
    const claimed = `whoop-event-${crypto.randomUUID()}`;
    const unclaimed = `whoop-event-${crypto.randomUUID()}`;
    await db()
      .insert(webhookEvents)
      .values({ id: `whe_${crypto.randomUUID()}`, provider: "whoop", eventId: claimed, receivedAt: Date.now(), status: "processing" });
    // And a copy of an event that another delivery already saw through: it stays done.
    const done = `whoop-event-${crypto.randomUUID()}`;
    await db()
      .insert(webhookEvents)
      .values({
        id: `whe_${crypto.randomUUID()}`,
        provider: "whoop",
        eventId: done,
        receivedAt: Date.now(),
        status: "processed",
        detail: "sync enqueued for 1 connection(s)",
      });

    const batch = createMessageBatch<unknown>("wellness-dead-letter", [
      { id: "dead-1", timestamp: Date.now(), attempts: 1, body: job },
      ...[claimed, unclaimed, done].map((eventId, i) => ({
        id: `dead-webhook-${i}`,
        timestamp: Date.now(),
        attempts: 1,
        body: { type: "webhook" as const, source: "whoop" as const, event: { eventId, externalUserId: "1" } },
      })),
    ]);
    await consumeDeadLetters(batch, env);
    const after = await connection(session.userId, "whoop");
    expect(after.status).toBe("error");
    expect(after.statusReason).toBe("Syncing WHOOP kept failing, so recent data may be missing. Wellness OS will keep trying; reconnect if this stays.");
    expect(after.nextSyncAt).toBeGreaterThan(Date.now());
    const [run] = await db().select().from(syncRuns).where(eq(syncRuns.id, job.runId));
    expect(run).toMatchObject({ status: "failed", error: "WHOOP had a problem; retrying in 240 s." });
    const events = await db()
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.provider, "whoop"), inArray(webhookEvents.eventId, [claimed, unclaimed, done])));
    const outcome = Object.fromEntries(events.map((event) => [event.eventId, [event.status, event.detail]]));
    expect(outcome).toEqual({
      [claimed]: ["failed", "gave up after the last retry"],
      [unclaimed]: ["failed", "gave up after the last retry"],
      [done]: ["processed", "sync enqueued for 1 connection(s)"],
    });
  });
});
