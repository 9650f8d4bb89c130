import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import { type FitbitKind, isObject, normalizeFitbit, timestamp } from "./normalize";

const DATA_TYPES = "https://health.googleapis.com/v4/users/me/dataTypes";
export const STEPS_DAILY_ROLL_UP = `${DATA_TYPES}/steps/dataPoints:dailyRollUp`;
export const HEART_RATE_POINTS = `${DATA_TYPES}/heart-rate/dataPoints`;
export const DAILY_RESTING_HEART_RATE_POINTS = `${DATA_TYPES}/daily-resting-heart-rate/dataPoints`;
export const SLEEP_POINTS = `${DATA_TYPES}/sleep/dataPoints`;
export const EXERCISE_POINTS = `${DATA_TYPES}/exercise/dataPoints`;
export const WEIGHT_POINTS = `${DATA_TYPES}/weight/dataPoints`;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The list maximum; heart rate is the dense type (third-party reports: a sample every 1–2 s). */
export const HEART_RATE_PAGE_SIZE = 10_000;
/** Sleep and exercise are capped at 25 per page. */
export const SLEEP_PAGE_SIZE = 25;
export const EXERCISE_PAGE_SIZE = 25;
/** dailyRollUp accepts at most 90 days for steps (14 for heart-rate-style types). */
const STEPS_ROLL_UP_MAX_DAYS = 90;
/** The widest UTC offsets in use: a civil day overlaps the UTC instants from 14 h before to 12 h after its own. */
const EARLIEST_OFFSET_MS = -12 * HOUR_MS;
const LATEST_OFFSET_MS = 14 * HOUR_MS;

const BACKFILL_JOB_DAYS = 4;
/**
 * Worst case per job: heart rate at one sample per second, plus one page each of steps, resting heart rate, sleep
 * and weight, and two pages of exercise (25 sessions a page over the job's civil days).
 */
const MAX_REQUESTS_PER_JOB = BACKFILL_JOB_DAYS * Math.ceil(86_400 / HEART_RATE_PAGE_SIZE) + 6;

const utcDate = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const civilDateTime = (date: string) => {
  const [year, month, day] = date.split("-").map(Number);
  return { date: { year, month, day } };
};

/** The civil days (YYYY-MM-DD, end exclusive) a physical window overlaps in any time zone. */
export function civilDaysOf(window: SyncWindow): { from: string; to: string } {
  return { from: utcDate(window.start + EARLIEST_OFFSET_MS), to: utcDate(window.end - 1 + LATEST_OFFSET_MS + DAY_MS) };
}

function between(field: string, from: string, to: string): string {
  return `${field} >= "${from}" AND ${field} < "${to}"`;
}

async function readJson(response: Response): Promise<unknown> {
  // A body that is not JSON still becomes a page, so normalize reports it instead of the whole sync failing.
  return response.json().catch(() => undefined);
}

function nextPageToken(body: unknown): string {
  return isObject(body) && typeof body.nextPageToken === "string" ? body.nextPageToken : "";
}

/** The time list pages are ordered by (newest first), for the oldest point of a page. */
type PointTime = (point: unknown) => number | null;

const heartRateTime: PointTime = (point) =>
  isObject(point) && isObject(point.heartRate) && isObject(point.heartRate.sampleTime) ? timestamp(point.heartRate.sampleTime.physicalTime) : null;
const exerciseStartTime: PointTime = (point) =>
  isObject(point) && isObject(point.exercise) && isObject(point.exercise.interval) ? timestamp(point.exercise.interval.startTime) : null;
const weightTime: PointTime = (point) =>
  isObject(point) && isObject(point.weight) && isObject(point.weight.sampleTime) ? timestamp(point.weight.sampleTime.physicalTime) : null;
const sleepEndTime: PointTime = (point) =>
  isObject(point) && isObject(point.sleep) && isObject(point.sleep.interval) ? timestamp(point.sleep.interval.endTime) : null;

interface StopBefore {
  start: number;
  pointTime: PointTime;
}

function reachesBefore(body: unknown, { start, pointTime }: StopBefore): boolean {
  if (!isObject(body) || !Array.isArray(body.dataPoints)) return false;
  const oldest = pointTime(body.dataPoints.at(-1));
  return oldest !== null && oldest < start;
}

/** dataPoints.list, every page: `nextPageToken` is empty (or absent) on the last one. */
async function* listDataPoints(
  ctx: PullContext,
  kind: FitbitKind,
  endpoint: string,
  query: { filter: string; pageSize?: number },
  stopBefore?: StopBefore,
): AsyncGenerator<PulledPage<FitbitKind>> {
  let pageToken = "";
  do {
    const url = new URL(endpoint);
    url.searchParams.set("filter", query.filter);
    if (query.pageSize) url.searchParams.set("pageSize", String(query.pageSize));
    if (pageToken) url.searchParams.set("pageToken", pageToken);
    const body = await readJson(await ctx.request(url));
    yield { kind, body };
    pageToken = nextPageToken(body);
    // Points come newest first: should the filter ever be ignored, stop at the window instead of paging through years.
    if (stopBefore && reachesBefore(body, stopBefore)) break;
  } while (pageToken);
}

async function* dailyStepTotals(ctx: PullContext, window: SyncWindow): AsyncGenerator<PulledPage<FitbitKind>> {
  const { from, to } = civilDaysOf(window);
  const last = Date.parse(`${to}T00:00:00Z`);
  const chunk = STEPS_ROLL_UP_MAX_DAYS * DAY_MS;
  for (let chunkStart = Date.parse(`${from}T00:00:00Z`); chunkStart < last; chunkStart += chunk) {
    const range = { start: civilDateTime(utcDate(chunkStart)), end: civilDateTime(utcDate(Math.min(chunkStart + chunk, last))) };
    let pageToken = "";
    do {
      const request = {
        range,
        windowSizeDays: 1,
        ...(pageToken ? { pageToken } : {}),
      };
      const response = await ctx.request(STEPS_DAILY_ROLL_UP, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
      });
      const body = await readJson(response);
      yield { kind: "steps", body };
      // The v4 DailyRollUpDataPointsResponse has no nextPageToken today; honour one if it appears.
      pageToken = nextPageToken(body);
    } while (pageToken);
  }
}

async function* pullFitbit(ctx: PullContext, window: SyncWindow): AsyncGenerator<PulledPage<FitbitKind>> {
  // Requests run one after another: a job's ~40 stays far below Google's 300 per minute per person.
  yield* dailyStepTotals(ctx, window);
  const days = civilDaysOf(window);
  yield* listDataPoints(ctx, "daily_resting_heart_rate", DAILY_RESTING_HEART_RATE_POINTS, {
    filter: between("daily_resting_heart_rate.date", days.from, days.to),
  });
  const physical = { from: rfc3339(window.start), to: rfc3339(window.end) };
  // Sleep filters on the end time only: a night is pulled with the window it ends in.
  yield* listDataPoints(
    ctx,
    "sleep",
    SLEEP_POINTS,
    { filter: between("sleep.interval.end_time", physical.from, physical.to), pageSize: SLEEP_PAGE_SIZE },
    { start: window.start, pointTime: sleepEndTime },
  );
  // Exercise can only be filtered on its civil start time (DISC-v4 list.filter: "Excluding Sleep and ECG"), so it is
  // pulled by the civil days the window touches in any zone; a session seen twice is the same record (its name).
  yield* listDataPoints(
    ctx,
    "exercise",
    EXERCISE_POINTS,
    { filter: between("exercise.interval.civil_start_time", days.from, days.to), pageSize: EXERCISE_PAGE_SIZE },
    { start: Date.parse(`${days.from}T00:00:00Z`) - LATEST_OFFSET_MS, pointTime: exerciseStartTime },
  );
  yield* listDataPoints(
    ctx,
    "weight",
    WEIGHT_POINTS,
    { filter: between("weight.sample_time.physical_time", physical.from, physical.to) },
    { start: window.start, pointTime: weightTime },
  );
  yield* listDataPoints(
    ctx,
    "heart_rate",
    HEART_RATE_POINTS,
    { filter: between("heart_rate.sample_time.physical_time", physical.from, physical.to), pageSize: HEART_RATE_PAGE_SIZE },
    { start: window.start, pointTime: heartRateTime },
  );
}

/**
 * Fitbit through the Google Health API v4. Heart rate is pulled last: it is the dense kind, so if a window is too
 * large for one invocation the cheap daily kinds have already landed.
 */
export const fitbitSync: SyncSpec<FitbitKind> = {
  kinds: ["steps", "daily_resting_heart_rate", "sleep", "exercise", "weight", "heart_rate"],
  cadenceMinutes: 60,
  // Trackers upload late when the phone is away; the day's totals, resting rate and last night's sleep settle within a day.
  lookbackHours: 24,
  backfillDays: 30,
  backfillJobDays: BACKFILL_JOB_DAYS,
  maxRequestsPerJob: MAX_REQUESTS_PER_JOB,
  pull: pullFitbit,
  normalize: normalizeFitbit,
};
