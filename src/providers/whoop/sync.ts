import { MalformedPayloadError } from "../../domain/records";
import { ProviderRequestError } from "../../sync/pull-context";
import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import { normalizeWhoop, type WhoopBodyMeasurementPage, type WhoopKind, type WhoopRecoveryPage } from "./normalize";

const API_BASE = "https://api.prod.whoop.com/developer/v2";
const COLLECTION_URLS = {
  cycle: `${API_BASE}/cycle`,
  sleep: `${API_BASE}/activity/sleep`,
  recovery: `${API_BASE}/recovery`,
  workout: `${API_BASE}/activity/workout`,
} as const;
const BODY_MEASUREMENT_URL = `${API_BASE}/user/measurement/body`;

type CollectionKind = keyof typeof COLLECTION_URLS;

/** WHOOP's maximum page size for every collection. */
const PAGE_LIMIT = 25;

const BACKFILL_JOB_DAYS = 10;

/**
 * Ceilings on records per calendar day that hold for heavy users (shift workers with two cycles, a main sleep
 * plus naps, several workouts), so the request bound below holds for them too.
 */
const MOST_RECORDS_PER_DAY: Record<CollectionKind, number> = { cycle: 2, sleep: 4, recovery: 2, workout: 6 };

/** A window of `days` touches `days + 1` calendar days; each collection needs that many records' pages, plus the body measurement. */
function mostRequestsFor(days: number): number {
  const collectionPages = Object.values(MOST_RECORDS_PER_DAY).reduce((sum, perDay) => sum + Math.ceil((perDay * (days + 1)) / PAGE_LIMIT), 0);
  return collectionPages + 1;
}

/**
 * WHOOP allows 100 requests a minute and 10,000 a day per client (all members together). A scheduled pull costs
 * five requests (one page per collection, plus the body measurement), and webhooks already bring sleep, recovery
 * and workout changes within minutes, so polling every three hours is a reconciliation pass (which WHOOP asks for)
 * and the way cycles (day strain) and weight, which have no webhooks, stay current. The 48-hour lookback re-reads
 * last night's sleep and recovery and yesterday's cycle, which WHOOP finishes scoring (PENDING_SCORE → SCORED) after
 * the member wakes up.
 */
export const whoopSync: SyncSpec<WhoopKind> = {
  // Sleeps before recoveries: a recovery's day comes from its sleep.
  kinds: ["cycle", "sleep", "recovery", "workout", "body_measurement"],
  cadenceMinutes: 180,
  lookbackHours: 48,
  backfillDays: 30,
  backfillJobDays: BACKFILL_JOB_DAYS,
  maxRequestsPerJob: mostRequestsFor(BACKFILL_JOB_DAYS),
  async *pull(ctx, window) {
    for await (const page of collectionPages(ctx, "cycle", window)) yield { kind: "cycle", body: page };
    const sleeps: unknown[] = [];
    for await (const page of collectionPages(ctx, "sleep", window)) {
      sleeps.push(...recordsOf(page));
      yield { kind: "sleep", body: page };
    }
    for await (const page of collectionPages(ctx, "recovery", window)) {
      const body: WhoopRecoveryPage = { page, sleeps: sleepsScoredBy(page, sleeps) };
      yield { kind: "recovery", body };
    }
    for await (const page of collectionPages(ctx, "workout", window)) yield { kind: "workout", body: page };
    const bodyMeasurement = await readBodyMeasurement(ctx);
    if (bodyMeasurement) yield bodyMeasurement;
  },
  normalize: normalizeWhoop,
};

/** Every page of one collection for the window: start inclusive, end exclusive, newest first. */
async function* collectionPages(ctx: PullContext, kind: CollectionKind, window: SyncWindow): AsyncGenerator<unknown> {
  const seenTokens = new Set<string>();
  let nextToken: string | null = null;
  do {
    const url = new URL(COLLECTION_URLS[kind]);
    url.searchParams.set("start", new Date(window.start).toISOString());
    url.searchParams.set("end", new Date(window.end).toISOString());
    url.searchParams.set("limit", String(PAGE_LIMIT));
    // WHOOP answers with `next_token` but reads it back as `nextToken`.
    if (nextToken) url.searchParams.set("nextToken", nextToken);
    const page = await readJson(ctx, url);
    yield page;
    nextToken = nextTokenOf(page);
    // A token WHOOP already gave would only return a page already read.
    if (nextToken && seenTokens.has(nextToken)) break;
    if (nextToken) seenTokens.add(nextToken);
  } while (nextToken);
}

/** The member's current body measurement; WHOOP answers 404 for a member who has none. */
async function readBodyMeasurement(ctx: PullContext): Promise<PulledPage<WhoopKind> | null> {
  try {
    const body: WhoopBodyMeasurementPage = { measurement: await readJson(ctx, BODY_MEASUREMENT_URL), read_at: new Date(ctx.now).toISOString() };
    return { kind: "body_measurement", body };
  } catch (error) {
    if (error instanceof ProviderRequestError && error.status === 404) return null;
    throw error;
  }
}

async function readJson(ctx: PullContext, url: string | URL): Promise<unknown> {
  const response = await ctx.request(url);
  try {
    return await response.json();
  } catch {
    throw new MalformedPayloadError("WHOOP answered with a body that is not JSON");
  }
}

function recordsOf(page: unknown): unknown[] {
  return typeof page === "object" && page !== null && "records" in page && Array.isArray(page.records) ? page.records : [];
}

function nextTokenOf(page: unknown): string | null {
  if (typeof page !== "object" || page === null || !("next_token" in page)) return null;
  return typeof page.next_token === "string" && page.next_token !== "" ? page.next_token : null;
}

/** The sleeps a recovery page's recoveries score, found by `sleep_id` or, failing that, by `cycle_id`. */
function sleepsScoredBy(recoveryPage: unknown, sleeps: unknown[]): unknown[] {
  const field = (item: unknown, name: string): unknown =>
    typeof item === "object" && item !== null && name in item ? (item as Record<string, unknown>)[name] : null;
  const recoveries = recordsOf(recoveryPage);
  const sleepIds = new Set(recoveries.map((recovery) => field(recovery, "sleep_id")));
  const cycleIds = new Set(recoveries.map((recovery) => field(recovery, "cycle_id")));
  return sleeps.filter((sleep) => sleepIds.has(field(sleep, "id")) || cycleIds.has(field(sleep, "cycle_id")));
}
