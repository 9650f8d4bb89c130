import { ProviderRequestError } from "../../sync/pull-context";
import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import { MEASURE_ENDPOINT, withingsCall } from "./api";
import { MEASURE_TYPES, normalizeWithings, WITHINGS_KINDS, type WithingsKind } from "./normalize";
import { ensureWithingsSubscriptions } from "./subscriptions";

const HOUR_MS = 3_600_000;
/**
 * A window that reaches this close to now is a scheduled (or notified) look at what changed: it asks by
 * `lastupdate`, which also returns measures taken long ago but uploaded or edited since (a scale that was
 * offline for a week). An older window is a backfill and asks by the time the measures were taken.
 */
const INCREMENTAL_WITHIN_MS = 2 * HOUR_MS;

/**
 * Withings documents no page size for getmeas (it says only "more" and "offset"). A daily weigher has ~90 groups
 * in a 90-day job; ten pages per job is a generous bound. Should Withings page smaller, the engine splits the job
 * when it runs out of subrequests, so this bounds cost, not correctness.
 */
const BUDGET_PAGES_PER_JOB = 10;
/** notify list, and at most one subscribe per category plus one stale revoke each. */
const SUBSCRIPTION_REQUESTS = 1 + 2 * 2;
const BACKFILL_JOB_DAYS = 90;

const seconds = (ms: number) => String(Math.floor(ms / 1000));

function windowParams(ctx: PullContext, window: SyncWindow): Record<string, string> {
  if (window.end >= ctx.now - INCREMENTAL_WITHIN_MS) return { lastupdate: seconds(window.start) };
  // startdate and enddate are inclusive seconds; the window's end is exclusive.
  return { startdate: seconds(window.start), enddate: seconds(window.end - 1000) };
}

function nextOffset(body: unknown): number | null {
  if (typeof body !== "object" || body === null) return null;
  const { more, offset } = body as { more?: unknown; offset?: unknown };
  const hasMore = more === true || more === 1;
  return hasMore && typeof offset === "number" && Number.isInteger(offset) && offset > 0 ? offset : null;
}

async function* pullWithings(ctx: PullContext, window: SyncWindow): AsyncGenerator<PulledPage<WithingsKind>> {
  if (!(window.end > window.start)) return;
  const incremental = window.end >= ctx.now - INCREMENTAL_WITHIN_MS;
  // Scheduled syncs keep the person's notification subscriptions alive (Withings drops one after failed deliveries).
  if (incremental) {
    try {
      const counts = await ensureWithingsSubscriptions(ctx);
      if (counts.created + counts.removed > 0) console.log(JSON.stringify({ event: "withings_subscriptions", ...counts }));
    } catch (error) {
      // Withings refused a subscription (e.g. it could not reach the callback URL): the measures still sync, and
      // the next scheduled sync asks again. A revoked token or a rate limit stops the sync as it should.
      if (!(error instanceof ProviderRequestError)) throw error;
      console.warn(JSON.stringify({ event: "withings_subscription_refused", status: error.status }));
    }
  }
  const base = { action: "getmeas", meastypes: MEASURE_TYPES.join(","), category: "1", ...windowParams(ctx, window) };
  const seen = new Set<number>();
  let offset: number | null = null;
  do {
    const body = await withingsCall(ctx, MEASURE_ENDPOINT, offset === null ? base : { ...base, offset: String(offset) });
    yield { kind: "measures", body };
    offset = nextOffset(body);
    // An offset we already followed would loop until the subrequest budget ran out.
    if (offset !== null && seen.has(offset)) return;
    if (offset !== null) seen.add(offset);
  } while (offset !== null);
}

export const withingsSync: SyncSpec<WithingsKind> = {
  kinds: WITHINGS_KINDS,
  // Notifications bring each weigh-in within minutes; the poll is the safety net for lost ones and keeps the
  // subscriptions alive. Four times a day is well inside Withings' 120 requests a minute per application.
  cadenceMinutes: 360,
  // Incremental pulls ask by lastupdate, so edits of any age arrive; the lookback covers a delayed upload.
  lookbackHours: 24,
  // A year of weigh-ins, so the trend is there on the first day.
  backfillDays: 365,
  backfillJobDays: BACKFILL_JOB_DAYS,
  maxRequestsPerJob: BUDGET_PAGES_PER_JOB + SUBSCRIPTION_REQUESTS,
  pull: pullWithings,
  normalize: normalizeWithings,
};
