import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import { normalizeOura, OURA_KINDS, type OuraKind } from "./normalize";

const USER_COLLECTION = "https://api.ouraring.com/v2/usercollection";

const DAY_MS = 86_400_000;

const DAILY_KINDS = OURA_KINDS.filter((kind) => kind !== "heartrate");

/**
 * Oura documents no page sizes. We budget for pages as small as 3 days of a daily collection and 6 hours of
 * 5-minute heart-rate samples (what the sandbox serves, so a sandbox test proves the bound). Should Oura's pages
 * be smaller, the engine splits the job in two when it runs out of subrequests, so this bounds cost, not correctness.
 */
const BUDGET_DAYS_PER_PAGE = 3;
const BUDGET_HEART_RATE_HOURS_PER_PAGE = 6;

const BACKFILL_JOB_DAYS = 5;
/** A job's window touches at most one UTC day more than its length, and the date query adds a day each side. */
const DAILY_PAGES_PER_JOB = Math.ceil((BACKFILL_JOB_DAYS + 1 + 2) / BUDGET_DAYS_PER_PAGE);
const HEART_RATE_PAGES_PER_JOB = Math.ceil((BACKFILL_JOB_DAYS * 24) / BUDGET_HEART_RATE_HOURS_PER_PAGE);

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoInstant = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

/**
 * Oura's start_date/end_date are days in the person's own time zone, which we do not know, and both are inclusive.
 * Asking for one extra day at each end covers the window in any zone (UTC−12 to UTC+14); the extra records are
 * upserts of what we hold anyway.
 */
function dateRange(window: SyncWindow): Record<string, string> {
  return { start_date: isoDay(window.start - DAY_MS), end_date: isoDay(window.end - 1 + DAY_MS) };
}

/** Heart rate is an instant-based series: ask for exactly the window (the URL encoder escapes "+" as Oura asks). */
function datetimeRange(window: SyncWindow): Record<string, string> {
  return { start_datetime: isoInstant(window.start), end_datetime: isoInstant(window.end) };
}

function nextTokenOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const token = (body as { next_token?: unknown }).next_token;
  return typeof token === "string" && token.length > 0 ? token : null;
}

/** The page as JSON; a body that is not JSON is passed on as text, for normalize to reject as malformed. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function* collectionPages(ctx: PullContext, kind: OuraKind, query: Record<string, string>): AsyncGenerator<PulledPage<OuraKind>> {
  const followed = new Set<string>();
  let nextToken: string | null = null;
  do {
    const url = new URL(`${USER_COLLECTION}/${kind}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    if (nextToken) url.searchParams.set("next_token", nextToken);
    const body = await readBody(await ctx.request(url));
    yield { kind, body };
    nextToken = nextTokenOf(body);
    // A token we already followed would loop until the subrequest budget ran out.
    if (nextToken && followed.has(nextToken)) return;
    if (nextToken) followed.add(nextToken);
  } while (nextToken);
}

async function* pullOura(ctx: PullContext, window: SyncWindow, only?: readonly OuraKind[]): AsyncGenerator<PulledPage<OuraKind>> {
  if (!(window.end > window.start)) return;
  // A notification names its data type, so a webhook-driven pull reads that collection alone.
  const wanted = (kind: OuraKind) => !only || only.includes(kind);
  for (const kind of DAILY_KINDS) if (wanted(kind)) yield* collectionPages(ctx, kind, dateRange(window));
  if (wanted("heartrate")) yield* collectionPages(ctx, "heartrate", datetimeRange(window));
}

export const ouraSync: SyncSpec<OuraKind> = {
  kinds: OURA_KINDS,
  // Webhooks bring sleep, readiness and activity within about 30 s of the app syncing, but Oura has no webhook for
  // heart rate, which the ring uploads in the background: polling every 15 min is what keeps that fresh, and it is
  // the safety net for notifications lost while our endpoint was down (Oura retries for only about an hour).
  cadenceMinutes: 15,
  // Sleep, readiness and their scores land when the person opens the app, often the next morning, and Oura rescores
  // the day after; 24 h back, plus the day either side the date query adds, re-reads the last two local days.
  lookbackHours: 24,
  backfillDays: 30,
  backfillJobDays: BACKFILL_JOB_DAYS,
  maxRequestsPerJob: DAILY_KINDS.length * DAILY_PAGES_PER_JOB + HEART_RATE_PAGES_PER_JOB,
  pull: pullOura,
  normalize: normalizeOura,
};
