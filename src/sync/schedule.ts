import { z } from "zod";
import type { D1Queryable } from "../db/client";
import type { SourceId } from "../domain/integration";
import { newId } from "../lib/ids";
import { provider } from "../providers/registry";
import type { SyncSpec, SyncWindow } from "../providers/types";
import type { SyncJob } from "./jobs";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A connection that missed syncs catches up at most this far back on a scheduled run (a backfill covers more). */
const MAX_CATCH_UP_MS = 7 * DAY_MS;
/** Queues take at most 100 messages per sendBatch. */
const SEND_BATCH = 100;

/**
 * `state` is the provider's own resume point where it has one (Gmail's historyId), kept beside the time cursor so
 * the engine stays the one place that reads and writes it (through src/db/connections.ts).
 */
const Cursor = z.object({ syncedThrough: z.number().optional(), state: z.string().min(1).max(256).optional() }).catch({});
export type Cursor = z.infer<typeof Cursor>;

export function readCursor(value: string | null): Cursor {
  if (!value) return {};
  try {
    return Cursor.parse(JSON.parse(value));
  } catch {
    return {};
  }
}

export function writeCursor(cursor: Cursor): string {
  return JSON.stringify(cursor);
}

/** The cadence with ±10 % jitter, so connections made at the same moment do not all come due together. */
export function nextSyncTime(spec: Pick<SyncSpec, "cadenceMinutes">, now: number, random = Math.random): number {
  const cadence = spec.cadenceMinutes * 60_000;
  return now + Math.round(cadence * (0.9 + random() * 0.2));
}

/** After connecting, the backfill covers the past; scheduled syncs start one cadence from now. */
export function firstScheduledSync(source: SourceId, now: number): number | null {
  const spec = provider(source).sync;
  return spec ? nextSyncTime(spec, now) : null;
}

/** The window a scheduled sync pulls: from the cursor (less the provider's revision lookback) to now. */
export function scheduledWindow(spec: Pick<SyncSpec, "lookbackHours">, cursor: Cursor, now: number): SyncWindow {
  const lookback = spec.lookbackHours * HOUR_MS;
  const from = cursor.syncedThrough !== undefined ? cursor.syncedThrough - lookback : now - lookback;
  return { start: Math.max(from, now - MAX_CATCH_UP_MS), end: now };
}

/**
 * Splits a window into pieces of at most the source's job size, newest first (so recent days land soonest):
 * every job then fits one invocation's subrequest budget, whatever asked for the window.
 */
export function splitWindow(window: SyncWindow, spec: Pick<SyncSpec, "backfillJobDays">): SyncWindow[] {
  const size = spec.backfillJobDays * DAY_MS;
  const windows: SyncWindow[] = [];
  for (let end = window.end; end > window.start; end -= size) windows.push({ start: Math.max(window.start, end - size), end });
  return windows;
}

/** The windows of a backfill, newest first. */
export function backfillWindows(spec: Pick<SyncSpec, "backfillDays" | "backfillJobDays">, now: number): SyncWindow[] {
  return splitWindow({ start: now - spec.backfillDays * DAY_MS, end: now }, spec);
}

/** One sync job per piece of `window`, each with its own run. */
export function jobsFor(
  connection: { id: string; userId: string; source: SourceId },
  spec: Pick<SyncSpec, "backfillJobDays">,
  trigger: SyncJob["trigger"],
  window: SyncWindow,
): SyncJob[] {
  return splitWindow(window, spec).map((piece) => ({
    type: "sync",
    connectionId: connection.id,
    userId: connection.userId,
    source: connection.source,
    trigger,
    window: piece,
    runId: newId("run"),
  }));
}

export interface QueuedRun {
  runId: string;
  window: SyncWindow;
}

/**
 * Records the runs as queued (so the UI can show them) and sends their jobs, in as few round trips as allowed.
 * `d1` is the person's D1 session when a request of theirs enqueues, so their next page sees the queued runs.
 */
export async function enqueueSyncJobs(env: Env, jobs: readonly SyncJob[], now = Date.now(), d1: D1Queryable = env.DB): Promise<void> {
  if (jobs.length === 0) return;
  const rows = jobs.map((job) => ({
    id: job.runId,
    connection_id: job.connectionId,
    user_id: job.userId,
    source_id: job.source,
    trigger: job.trigger,
    window_start: job.window.start,
    window_end: job.window.end,
  }));
  await d1
    .prepare(
      `INSERT OR IGNORE INTO sync_runs (id, connection_id, user_id, source_id, trigger, status, window_start, window_end, started_at)
     SELECT r.value ->> 'id', r.value ->> 'connection_id', r.value ->> 'user_id', r.value ->> 'source_id', r.value ->> 'trigger', 'queued',
            r.value ->> 'window_start', r.value ->> 'window_end', ?2
     FROM json_each(?1) AS r`,
    )
    .bind(JSON.stringify(rows), now)
    .run();
  for (let i = 0; i < jobs.length; i += SEND_BATCH) {
    await env.SYNC_QUEUE.sendBatch(jobs.slice(i, i + SEND_BATCH).map((body) => ({ body, contentType: "json" as const })));
  }
}

/**
 * On connect: a backfill of the source's history, split into jobs that each fit one invocation's budget; or, for
 * a push-first provider, one job that asks the provider to push that history.
 */
export async function enqueueInitialSync(
  env: Env,
  connection: { id: string; userId: string; source: SourceId },
  now = Date.now(),
  d1: D1Queryable = env.DB,
): Promise<QueuedRun[]> {
  const spec = provider(connection.source).sync;
  if (!spec) return [];
  const history = { start: now - spec.backfillDays * DAY_MS, end: now };
  const jobs: SyncJob[] = spec.requestBackfill
    ? [
        {
          type: "sync",
          connectionId: connection.id,
          userId: connection.userId,
          source: connection.source,
          trigger: "backfill",
          action: "request_backfill",
          window: history,
          runId: newId("run"),
        },
      ]
    : jobsFor(connection, spec, "backfill", history);
  await enqueueSyncJobs(env, [...jobs, ...(provider(connection.source).watch ? [watchJob(connection, "connect", now)] : [])], now, d1);
  return jobs.map((job) => ({ runId: job.runId, window: job.window }));
}

/** A job that starts or renews the provider's watch (the window is only the run's label). */
export function watchJob(connection: { id: string; userId: string; source: SourceId }, trigger: SyncJob["trigger"], now: number): SyncJob {
  return {
    type: "sync",
    connectionId: connection.id,
    userId: connection.userId,
    source: connection.source,
    trigger,
    action: "watch",
    window: { start: now - 1, end: now },
    runId: newId("run"),
  };
}
