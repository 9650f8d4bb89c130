import { and, eq } from "drizzle-orm";
import { userHubFor } from "../../durable-objects/user-hub";
import { database } from "../db/client";
import { recordSyncFailure, recordSyncSuccess, resetSyncCursor, updateConnectionStatus } from "../db/connections";
import { type IntegrationConnection, integrationConnections, syncRuns } from "../db/schema";
import { catalogEntry } from "../domain/catalog";
import { MalformedPayloadError, type NormalizedRecord } from "../domain/records";
import { ProviderUnavailableError } from "../oauth/errors";
import { type AccessTokens, openProviderCalls } from "../providers/calls";
import { provider } from "../providers/registry";
import type { PullContext, PulledPage, SyncWindow } from "../providers/types";
import type { SyncJob } from "./jobs";
import {
  AccessRevokedError,
  DataNotSharedError,
  ProviderRequestError,
  ProviderStateExpiredError,
  SubrequestBudget,
  SubrequestBudgetError,
  UnusableResponseError,
} from "./pull-context";
import { enqueueSyncJobs, jobsFor, nextSyncTime, readCursor, writeCursor } from "./schedule";
import { SourceDisconnectedError, storeRecords } from "./store-records";

/**
 * Subrequests one invocation may make (the free plan's limit; the sync queue delivers one job per invocation),
 * minus what the engine itself spends around the provider calls: the token from the Durable Object, a forced
 * refresh, a follow-up enqueue. D1 queries have their own per-invocation limit (also 50 on the free plan); a job
 * makes about 8.
 */
export const SUBREQUEST_LIMIT = 50;
export const ENGINE_SUBREQUESTS = 4;
const FLUSH_RECORDS = 1000;

export type SyncOutcome =
  | {
      kind: "done";
      status: "succeeded" | "partial";
      written: number;
      inserted: number;
      unchanged: number;
      skipped: number;
      providerRequests: number;
      d1RoundTrips: number;
    }
  | { kind: "retry"; delaySeconds: number; reason: string }
  | { kind: "failed"; reason: string }
  | { kind: "split"; windows: [SyncWindow, SyncWindow] }
  | { kind: "ignored"; reason: string };

/** How the engine reaches the person's token vault; the queue consumer passes the real UserHub. */
export type TokenVaultClient = AccessTokens;

export interface SyncDeps {
  /** fetch for live providers (tests put faults here); sandbox connections always use the in-process sandbox. */
  fetch?: typeof fetch;
  hub?: (env: Env, userId: string) => TokenVaultClient;
  now?: number;
  /** Queue delivery attempt, 1-based: grows the backoff. */
  attempt?: number;
}

const defaultHub = (env: Env, userId: string): TokenVaultClient => userHubFor(env, userId);

/** Exponential backoff with jitter, capped at an hour: 30 s, 60 s, 120 s … */
export function backoffSeconds(attempt: number, random = Math.random): number {
  const base = Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + random() * 0.4));
}

export async function runSyncJob(env: Env, job: SyncJob, deps: SyncDeps = {}): Promise<SyncOutcome> {
  const db = database(env.DB);
  const now = deps.now ?? Date.now();
  const name = catalogEntry(job.source).name;
  const spec = provider(job.source).sync;

  const [connection] = await db
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.id, job.connectionId), eq(integrationConnections.userId, job.userId)))
    .limit(1);

  const finishRun = async (
    status: "succeeded" | "partial" | "failed" | "queued",
    fields: { error?: string | null; written?: number; skipped?: number } = {},
  ) => {
    await db
      .update(syncRuns)
      .set({
        status,
        error: fields.error ?? null,
        ...(fields.written !== undefined ? { recordsUpserted: fields.written } : {}),
        ...(fields.skipped !== undefined ? { recordsSkipped: fields.skipped } : {}),
        ...(status === "queued" ? {} : { finishedAt: Date.now() }),
      })
      .where(eq(syncRuns.id, job.runId));
  };

  // The run row exists when the UI asked for the sync; for scheduled jobs it is created here.
  await db
    .insert(syncRuns)
    .values({
      id: job.runId,
      connectionId: job.connectionId,
      userId: job.userId,
      sourceId: job.source,
      trigger: job.trigger,
      status: "running",
      windowStart: job.window.start,
      windowEnd: job.window.end,
      startedAt: now,
    })
    .onConflictDoUpdate({ target: syncRuns.id, set: { status: "running", error: null } })
    .catch(() => undefined);

  // `error` connections keep syncing: the next success is what turns them back to connected.
  if (!connection || connection.sourceId !== job.source || (connection.status !== "connected" && connection.status !== "error") || !spec) {
    const reason = !spec ? `${name} is not synced by polling` : `${name} is no longer connected`;
    if (connection) await finishRun("failed", { error: reason });
    return { kind: "ignored", reason };
  }

  const hub = (deps.hub ?? defaultHub)(env, job.userId);
  const budget = new SubrequestBudget(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS);
  // A health system is named as the person knows it ("UCSF Health"), not by the source's catalog name.
  const systemName = connection.accountName ?? name;
  const key = { connectionId: connection.id };
  const access = await openProviderCalls({
    env,
    userId: job.userId,
    source: job.source,
    account: connection.account,
    tokens: hub,
    budget,
    externalUserId: connection.externalUserId,
    now,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  if (!access.ok) {
    if (access.reason === "unavailable") {
      const delaySeconds = access.retryAfterSeconds ?? backoffSeconds(deps.attempt ?? 1);
      await finishRun("queued", { error: `${systemName} did not renew access just now; retrying in ${delaySeconds} s.` });
      return { kind: "retry", delaySeconds, reason: "token refresh unavailable" };
    }
    if (access.reason === "not_connected") {
      await updateConnectionStatus(db, job.userId, key, "needs_reauth", `Wellness OS no longer holds access to ${systemName}. Reconnect to resume syncing.`);
    }
    await finishRun("failed", { error: `${systemName} needs reconnecting.` });
    return { kind: "failed", reason: "needs reconnecting" };
  }

  const cursor = readCursor(connection.syncCursor);
  let reachedState = cursor.state;
  const ctx: PullContext = {
    ...access.ctx,
    state: {
      value: cursor.state ?? null,
      incremental: job.trigger !== "backfill" && job.trigger !== "connect",
      set: (value: string) => {
        reachedState = value;
      },
    },
  };

  let written = 0;
  let inserted = 0;
  let unchanged = 0;
  let skipped = 0;
  let d1RoundTrips = 0;
  const malformed: string[] = [];
  let buffer: NormalizedRecord[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const result = await storeRecords(env, job.userId, { source: job.source, account: connection.account }, buffer, now);
    // The person disconnected while this ran: their object refused the batch, so stop pulling.
    if (result.dropped > 0) throw new SourceDisconnectedError();
    written += result.written;
    inserted += result.inserted;
    unchanged += result.unchanged;
    d1RoundTrips += 1;
    buffer = [];
    // Progress the card can show while a long backfill runs.
    await db.update(syncRuns).set({ recordsUpserted: written, recordsSkipped: skipped }).where(eq(syncRuns.id, job.runId));
  };

  const watch = provider(job.source).watch;
  if (job.action === "watch" && watch) {
    try {
      await watch.start(ctx);
    } catch (error) {
      return handleFailure(env, job, connection, error, deps.attempt ?? 1, finishRun, { written: 0, skipped: 0 });
    }
    await finishRun("succeeded", { written: 0, skipped: 0, error: null });
    return { kind: "done", status: "succeeded", written: 0, inserted: 0, unchanged: 0, skipped: 0, providerRequests: budget.used, d1RoundTrips: 3 };
  }

  if (job.action === "request_backfill" && spec.requestBackfill) {
    try {
      await spec.requestBackfill(ctx, job.window);
    } catch (error) {
      return handleFailure(env, job, connection, error, deps.attempt ?? 1, finishRun, { written: 0, skipped: 0 });
    }
    await finishRun("succeeded", { written: 0, skipped: 0, error: null });
    return { kind: "done", status: "succeeded", written: 0, inserted: 0, unchanged: 0, skipped: 0, providerRequests: budget.used, d1RoundTrips: 3 };
  }

  try {
    const kinds = job.kinds?.filter((kind) => spec.kinds.includes(kind));
    for await (const page of spec.pull(ctx, job.window, kinds?.length ? kinds : undefined) as AsyncGenerator<PulledPage>) {
      try {
        const result = spec.normalize(page.kind, page.body);
        buffer.push(...result.records);
        skipped += result.skipped.length;
      } catch (error) {
        if (!(error instanceof MalformedPayloadError)) throw error;
        // The provider sent something it does not document: keep the rest of the sync, report the page.
        malformed.push(`${page.kind}: ${error.message}`);
      }
      if (buffer.length >= FLUSH_RECORDS) await flush();
    }
    await flush();
  } catch (error) {
    await flush().catch(() => undefined);
    return handleFailure(env, job, connection, error, deps.attempt ?? 1, finishRun, { written, skipped });
  }

  const status = malformed.length > 0 ? "partial" : "succeeded";
  const ref = { connectionId: connection.id, userId: job.userId };
  // Backfill jobs fill the past; they do not move the schedule.
  const schedule = job.trigger === "backfill" || job.trigger === "connect" ? {} : { nextSyncAt: nextSyncTime(spec, now) };
  if (status === "succeeded") {
    // Only a complete pull may move the cursor forward; a partial one is repeated next time.
    await recordSyncSuccess(db, ref, {
      now,
      syncCursor: writeCursor({
        syncedThrough: Math.max(cursor.syncedThrough ?? 0, Math.min(job.window.end, now)),
        ...(reachedState ? { state: reachedState } : {}),
      }),
      ...schedule,
    });
  } else {
    await recordSyncFailure(db, ref, { now, reason: `Some ${name} data was not in the expected form and was skipped.`, ...schedule });
  }
  await finishRun(status, { written, skipped, error: malformed.length > 0 ? malformed.join("; ").slice(0, 500) : null });
  return { kind: "done", status, written, inserted, unchanged, skipped, providerRequests: budget.used, d1RoundTrips: d1RoundTrips + 4 };
}

async function handleFailure(
  env: Env,
  job: SyncJob,
  connection: IntegrationConnection,
  error: unknown,
  attempt: number,
  finishRun: (status: "succeeded" | "failed" | "queued" | "partial", fields?: { error?: string | null; written?: number; skipped?: number }) => Promise<void>,
  counts: { written: number; skipped: number },
): Promise<SyncOutcome> {
  const name = connection.accountName ?? catalogEntry(job.source).name;
  const key = { connectionId: connection.id };
  const db = database(env.DB);
  if (error instanceof ProviderUnavailableError) {
    const delaySeconds = error.retryAfterSeconds ?? backoffSeconds(attempt);
    const why = error.reason === "rate_limited" ? "asked us to slow down" : error.reason === "timeout" ? "took too long to answer" : "had a problem";
    await finishRun("queued", { error: `${name} ${why}; retrying in ${delaySeconds} s.`, ...counts });
    return { kind: "retry", delaySeconds, reason: error.message };
  }
  if (error instanceof AccessRevokedError) {
    const reason = `${name} refused Wellness OS's access. Reconnect to resume syncing.`;
    await updateConnectionStatus(db, job.userId, key, "needs_reauth", reason);
    await finishRun("failed", { error: reason, ...counts });
    return { kind: "failed", reason };
  }
  if (error instanceof ProviderRequestError) {
    const reason =
      error.status === 403
        ? `${name} refused part of the data (a permission may have been turned off). Reconnect and allow all the listed data.`
        : `${name} rejected our request (${error.status}). We have been told and will retry on the next sync.`;
    await recordSyncFailure(db, { connectionId: connection.id, userId: job.userId }, { reason, now: Date.now() });
    if (error.status === 403) await updateConnectionStatus(db, job.userId, key, "error", reason);
    await finishRun("failed", { error: reason, ...counts });
    return { kind: "failed", reason };
  }
  if (error instanceof DataNotSharedError) {
    // What was shared is stored; the card says what was not, and the next sync asks again.
    await recordSyncFailure(db, { connectionId: connection.id, userId: job.userId }, { reason: error.message, now: Date.now() });
    await finishRun("partial", { error: error.message, ...counts });
    return {
      kind: "done",
      status: "partial",
      written: counts.written,
      inserted: 0,
      unchanged: 0,
      skipped: counts.skipped,
      providerRequests: 0,
      d1RoundTrips: 0,
    };
  }
  if (error instanceof UnusableResponseError) {
    const reason = `${name} sent an answer Wellness OS cannot use (${error.message}); nothing from it was stored.`;
    await recordSyncFailure(db, { connectionId: connection.id, userId: job.userId }, { reason, now: Date.now() });
    await finishRun("failed", { error: reason, ...counts });
    return { kind: "failed", reason };
  }
  if (error instanceof SourceDisconnectedError) {
    const reason = `${name} was disconnected while this sync ran; nothing more was stored.`;
    await finishRun("failed", { error: reason, ...counts });
    return { kind: "ignored", reason };
  }
  if (error instanceof ProviderStateExpiredError) {
    // Forget the resume point and re-read a bounded stretch through the backfill path (its first job stores a fresh one).
    const spec = provider(job.source).sync;
    const now = Date.now();
    await resetSyncCursor(db, job.userId, { sourceId: job.source, account: connection.account }, now);
    if (spec) {
      const window = { start: now - error.rescanDays * 86_400_000, end: now };
      await enqueueSyncJobs(env, jobsFor({ id: connection.id, userId: job.userId, source: job.source }, spec, "backfill", window), now);
    }
    console.warn(JSON.stringify({ event: "sync_state_expired", source: job.source, rescanDays: error.rescanDays }));
    await finishRun("succeeded", { error: null, ...counts });
    return {
      kind: "done",
      status: "succeeded",
      written: counts.written,
      inserted: 0,
      unchanged: 0,
      skipped: counts.skipped,
      providerRequests: 0,
      d1RoundTrips: 0,
    };
  }
  if (error instanceof SubrequestBudgetError) {
    const hours = (job.window.end - job.window.start) / 3_600_000;
    console.warn(JSON.stringify({ event: "sync_job_split", source: job.source, trigger: job.trigger, hours }));
    if (hours <= 1) {
      await finishRun("failed", { error: `${name} returned more than one sync can fetch for a single hour.`, ...counts });
      return { kind: "failed", reason: "subrequest budget exceeded for a one-hour window" };
    }
    // What was written stays (upserts); the two halves re-pull the rest, each with a full budget.
    await finishRun("failed", { error: "This sync was larger than one run can fetch; it continues as two smaller runs.", ...counts });
    const middle = job.window.start + Math.floor((job.window.end - job.window.start) / 2);
    return {
      kind: "split",
      windows: [
        { start: job.window.start, end: middle },
        { start: middle, end: job.window.end },
      ],
    };
  }
  throw error;
}
