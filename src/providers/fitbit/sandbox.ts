import type { Context } from "hono";
import { daysIn, int, normal, random, seedOf, uuidFrom } from "../../sandbox/generate";
import { type ProviderSandbox, type SandboxEnv, sandboxApi, sandboxBearer } from "../../sandbox/types";
import { civilDate, isObject, timestamp } from "./normalize";

const api = sandboxApi();

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Without a lower bound in the filter, the sandbox serves this much history; it has none older than a year. */
const DEFAULT_HISTORY_DAYS = 30;
const HISTORY_DAYS = 365;
const HEART_RATE_EVERY_MINUTES = 10;
/** Small pages, so pagination is exercised (the real service may return fewer points than pageSize, too). */
const PAGE_CAP: Readonly<Record<ListedType, number>> = { "heart-rate": 100, "daily-resting-heart-rate": 3, sleep: 2, exercise: 2, weight: 2 };
/** dataPoints.list defaults: 1440, or 25 for sleep and exercise (also their maximum). */
const DEFAULT_PAGE_SIZE: Readonly<Record<ListedType, number>> = { "heart-rate": 1440, "daily-resting-heart-rate": 1440, sleep: 25, exercise: 25, weight: 1440 };
const MAX_PAGE_SIZE: Readonly<Record<ListedType, number>> = {
  "heart-rate": 10_000,
  "daily-resting-heart-rate": 10_000,
  sleep: 25,
  exercise: 25,
  weight: 10_000,
};
/** The field each list filter may compare (snake_case), and whether its literals are timestamps or dates. */
const FILTER_FIELD: Readonly<Record<ListedType, { field: string; literal: "timestamp" | "date" }>> = {
  "heart-rate": { field: "heart_rate.sample_time.physical_time", literal: "timestamp" },
  "daily-resting-heart-rate": { field: "daily_resting_heart_rate.date", literal: "date" },
  sleep: { field: "sleep.interval.end_time", literal: "timestamp" },
  // Exercise filters on its civil start only; the sandbox's civil times are UTC (utcOffset "0s").
  exercise: { field: "exercise.interval.civil_start_time", literal: "date" },
  weight: { field: "weight.sample_time.physical_time", literal: "timestamp" },
};
const ROLL_UP_MAX_DAYS = 90;

type ListedType = "heart-rate" | "daily-resting-heart-rate" | "sleep" | "exercise" | "weight";
type DataPoint = Record<string, unknown>;
/** A generated point with the time its filter compares (`at`) and the time the list is ordered by. */
type Timed = { at: number; order: number; point: DataPoint };

const isListedType = (value: string): value is ListedType => value in FILTER_FIELD;
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** The standard Google API error body (google.rpc.Status in its JSON form). */
function rpcError(c: Context<SandboxEnv>, code: 400 | 404, status: "INVALID_ARGUMENT" | "NOT_FOUND", message: string) {
  return c.json({ error: { code, message, status } }, code);
}

/** google.type.Date plus time of day, with zero fields left out as proto3 JSON does. */
function civilDateTime(ms: number) {
  const at = new Date(ms);
  const fields: [string, number][] = [
    ["hours", at.getUTCHours()],
    ["minutes", at.getUTCMinutes()],
    ["seconds", at.getUTCSeconds()],
  ];
  const time = Object.fromEntries(fields.filter(([, value]) => value !== 0));
  return { date: dateOf(ms), ...(Object.keys(time).length > 0 ? { time } : {}) };
}

function dateOf(ms: number) {
  const at = new Date(ms);
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

const wristSource = {
  recordingMethod: "PASSIVELY_MEASURED",
  device: { formFactor: "FITNESS_BAND", manufacturer: "Fitbit", displayName: "Charge 6" },
  platform: "FITBIT",
};

/** A YYYY-MM-DD literal that names a real day, as its UTC midnight. */
function dateLiteral(value: string): number | null {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value ? null : ms;
}

/** Bounds from an AIP-160 filter of `field >= "…"` / `field < "…"` clauses joined by AND; anything else is refused. */
function parseFilter(filter: string, type: ListedType): { from?: number; to?: number } | string {
  const { field, literal } = FILTER_FIELD[type];
  const bounds: { from?: number; to?: number } = {};
  for (const clause of filter.trim().split(/\s+AND\s+/)) {
    const match = /^([a-z_.]+)\s*(>=|<)\s*"([^"]*)"$/.exec(clause.trim());
    if (!match) return `unsupported filter clause: ${clause.trim()}`;
    const [, name, operator, value] = match as unknown as [string, string, ">=" | "<", string];
    if (name !== field) return `the sandbox filters ${type} on ${field} only, not ${name}`;
    const ms = literal === "timestamp" ? timestamp(value) : dateLiteral(value);
    if (ms === null) return `${field} expects ${literal === "timestamp" ? "an RFC 3339 timestamp" : "a YYYY-MM-DD date"}: ${value}`;
    if (operator === ">=") bounds.from = Math.max(bounds.from ?? -Infinity, ms);
    else bounds.to = Math.min(bounds.to ?? Infinity, ms);
  }
  return bounds;
}

function heartRatePoints(subject: string, day: string, now: number): Timed[] {
  const rand = random(seedOf("fitbit", "heart-rate", subject, day));
  const resting = normal(random(seedOf("fitbit", "resting", subject)), 60, 5, 48, 75);
  const points: Timed[] = [];
  for (let minute = 0; minute < 24 * 60; minute += HEART_RATE_EVERY_MINUTES) {
    const at = Date.parse(`${day}T00:00:00Z`) + minute * MINUTE_MS;
    if (at >= now) break;
    const awake = minute >= 7 * 60 && minute < 23 * 60;
    const active = awake && rand() < 0.12;
    const bpm = Math.round(active ? normal(rand, resting + 45, 15, resting + 20, 185) : normal(rand, awake ? resting + 14 : resting - 2, 4, 40, 120));
    const point = {
      dataSource: wristSource,
      heartRate: {
        sampleTime: { physicalTime: rfc3339(at), utcOffset: "0s", civilTime: civilDateTime(at) },
        beatsPerMinute: String(bpm),
        metadata: { motionContext: active ? "ACTIVE" : "SEDENTARY", sensorLocation: "WRIST" },
      },
    };
    points.push({ at, order: at, point });
  }
  return points;
}

function restingHeartRatePoint(subject: string, day: string): Timed {
  const rand = random(seedOf("fitbit", "resting-heart-rate", subject, day));
  const base = normal(random(seedOf("fitbit", "resting", subject)), 60, 5, 48, 75);
  const at = Date.parse(`${day}T00:00:00Z`);
  const point = {
    dataSource: { recordingMethod: "DERIVED", platform: "FITBIT" },
    dailyRestingHeartRate: {
      date: dateOf(at),
      beatsPerMinute: String(int(rand, base, 2, 40, 100)),
      dailyRestingHeartRateMetadata: { calculationMethod: "WITH_SLEEP" },
    },
  };
  return { at, order: at, point };
}

const SLEEP_CYCLE = ["LIGHT", "DEEP", "LIGHT", "REM", "AWAKE"] as const;

/** The night that ends on the morning of `day`: stage segments that cover it, and the summary Google derives from them. */
function sleepPoint(subject: string, day: string): Timed {
  const rand = random(seedOf("fitbit", "sleep", subject, day));
  const start = Date.parse(`${day}T00:00:00Z`) - int(rand, 90, 25, 30, 150) * MINUTE_MS;
  const periodMinutes = int(rand, 450, 45, 330, 560);
  const latency = int(rand, 8, 4, 1, 25);
  const segments: { type: string; minutes: number }[] = [{ type: "AWAKE", minutes: latency }];
  for (let used = latency, step = 0; used < periodMinutes; step++) {
    const type = SLEEP_CYCLE[step % SLEEP_CYCLE.length] ?? "LIGHT";
    const minutes = Math.min(periodMinutes - used, type === "AWAKE" ? int(rand, 4, 2, 1, 10) : int(rand, 28, 10, 8, 60));
    segments.push({ type, minutes });
    used += minutes;
  }
  const end = start + periodMinutes * MINUTE_MS;
  let cursor = start;
  const stages = segments.map(({ type, minutes }) => {
    const segment = { type, startTime: rfc3339(cursor), startUtcOffset: "0s", endTime: rfc3339(cursor + minutes * MINUTE_MS), endUtcOffset: "0s" };
    cursor += minutes * MINUTE_MS;
    return segment;
  });
  const totals = new Map<string, { minutes: number; count: number }>();
  for (const { type, minutes } of segments) {
    const total = totals.get(type) ?? { minutes: 0, count: 0 };
    totals.set(type, { minutes: total.minutes + minutes, count: total.count + 1 });
  }
  const minutesAwake = totals.get("AWAKE")?.minutes ?? 0;
  const updateTime = rfc3339(end + 9 * MINUTE_MS);
  const point = {
    name: `users/${subject}/dataTypes/sleep/dataPoints/${uuidFrom("fitbit", "sleep", subject, day)}`,
    dataSource: wristSource,
    sleep: {
      interval: sessionInterval(start, end),
      type: "STAGES",
      stages,
      summary: {
        minutesAsleep: String(periodMinutes - minutesAwake),
        minutesAwake: String(minutesAwake),
        minutesInSleepPeriod: String(periodMinutes),
        minutesToFallAsleep: String(latency),
        stagesSummary: [...totals].map(([type, total]) => ({ type, minutes: String(total.minutes), count: String(total.count) })),
      },
      metadata: { processed: true, stagesStatus: "SUCCEEDED" },
      createTime: updateTime,
      updateTime,
    },
  };
  return { at: end, order: start, point };
}

/** A session's interval as the v4 API gives it: physical times with their UTC offset, and the civil times. */
function sessionInterval(start: number, end: number) {
  return {
    startTime: rfc3339(start),
    startUtcOffset: "0s",
    endTime: rfc3339(end),
    endUtcOffset: "0s",
    civilStartTime: civilDateTime(start),
    civilEndTime: civilDateTime(end),
  };
}

const EXERCISES = [
  { exerciseType: "WALKING", displayName: "Walk", kcalPerMinute: 4.5, metersPerMinute: 85 },
  { exerciseType: "RUNNING", displayName: "Run", kcalPerMinute: 11, metersPerMinute: 170 },
  { exerciseType: "BIKING", displayName: "Bike", kcalPerMinute: 8, metersPerMinute: 330 },
] as const;

/** Most days one session in the early evening, in the v4 `Exercise` shape (as in Google's codelab response). */
function exercisePoint(subject: string, day: string, now: number): Timed | null {
  const rand = random(seedOf("fitbit", "exercise", subject, day));
  if (rand() < 0.35) return null;
  const kind = EXERCISES[Math.floor(rand() * EXERCISES.length)] ?? EXERCISES[0];
  const start = Date.parse(`${day}T00:00:00Z`) + int(rand, 17 * 60, 60, 6 * 60, 21 * 60) * MINUTE_MS;
  const minutes = int(rand, 40, 12, 15, 90);
  const end = start + minutes * MINUTE_MS;
  // A session is listed once it has ended.
  if (end > now) return null;
  const point = {
    name: `users/${subject}/dataTypes/exercise/dataPoints/${uuidFrom("fitbit", "exercise", subject, day)}`,
    dataSource: wristSource,
    exercise: {
      interval: sessionInterval(start, end),
      exerciseType: kind.exerciseType,
      metricsSummary: {
        caloriesKcal: Math.round(kind.kcalPerMinute * minutes),
        distanceMillimeters: Math.round(kind.metersPerMinute * minutes * 1000),
        averageHeartRateBeatsPerMinute: String(int(rand, kind.exerciseType === "WALKING" ? 102 : 142, 8, 80, 185)),
        activeZoneMinutes: String(kind.exerciseType === "WALKING" ? 0 : minutes),
      },
      exerciseMetadata: {},
      displayName: kind.displayName,
      activeDuration: `${minutes * 60}s`,
      updateTime: rfc3339(end + 5 * MINUTE_MS),
    },
  };
  return { at: Date.parse(`${day}T00:00:00Z`), order: start, point };
}

/** A morning weigh-in on about half the days, drifting slowly around the person's own weight. */
function weightPoint(subject: string, day: string): Timed | null {
  const rand = random(seedOf("fitbit", "weight", subject, day));
  if (rand() < 0.5) return null;
  const base = normal(random(seedOf("fitbit", "body-weight", subject)), 74_000, 9_000, 50_000, 110_000);
  const at = Date.parse(`${day}T00:00:00Z`) + int(rand, 7 * 60, 30, 5 * 60, 10 * 60) * MINUTE_MS + int(rand, 30, 15, 0, 59) * 1000;
  const point = {
    dataSource: { recordingMethod: "PASSIVELY_MEASURED", device: { manufacturer: "Fitbit", displayName: "Aria Air" }, platform: "FITBIT" },
    weight: {
      sampleTime: { physicalTime: rfc3339(at), utcOffset: "0s", civilTime: civilDateTime(at) },
      weightGrams: Math.round(normal(rand, base, 400, base - 1500, base + 1500) / 10) * 10,
    },
  };
  return { at, order: at, point };
}

/** Every point of a listed type whose filter field falls in [from, to), newest first, never in the future. */
function listed(type: ListedType, subject: string, from: number, to: number, now: number): DataPoint[] {
  const points: Timed[] = [];
  for (const day of daysIn(Math.max(from, now - HISTORY_DAYS * DAY_MS), to, now)) {
    if (type === "heart-rate") points.push(...heartRatePoints(subject, day, now));
    else if (type === "sleep") points.push(sleepPoint(subject, day));
    else if (type === "exercise" || type === "weight") {
      const point = type === "exercise" ? exercisePoint(subject, day, now) : weightPoint(subject, day);
      if (point) points.push(point);
    }
    // A day's resting heart rate exists once the day is over.
    else if (Date.parse(`${day}T00:00:00Z`) + DAY_MS <= now) points.push(restingHeartRatePoint(subject, day));
  }
  return points
    .filter(({ at }) => at >= from && at < to && at <= now)
    .sort((a, b) => b.order - a.order)
    .map(({ point }) => point);
}

/** An opaque page token that only continues the query it came from. */
function pageToken(offset: number, query: string): string {
  return btoa(JSON.stringify({ o: offset, q: seedOf(query) })).replaceAll("=", "");
}

function readPageToken(token: string, query: string): number | null {
  try {
    const { o, q } = JSON.parse(atob(token)) as { o?: unknown; q?: unknown };
    return Number.isInteger(o) && (o as number) >= 0 && q === seedOf(query) ? (o as number) : null;
  } catch {
    return null;
  }
}

function userMatches(c: Context<SandboxEnv>): boolean {
  const user = c.req.param("user");
  return user === "me" || user === c.get("access").subject;
}

api.use("/v4/*", sandboxBearer("fitbit"));

// users.getIdentity: the Google Health user id, and the legacy Fitbit id it replaces.
api.get("/v4/users/me/identity", (c) => {
  const { subject } = c.get("access");
  return c.json({ name: `users/${subject}/identity`, healthUserId: subject, legacyUserId: subject.slice(4, 10).toUpperCase() });
});

// users.dataTypes.dataPoints.list
api.get("/v4/users/:user/dataTypes/:dataType/dataPoints", (c) => {
  const type = c.req.param("dataType");
  if (!userMatches(c)) return rpcError(c, 404, "NOT_FOUND", "unknown user");
  if (!isListedType(type)) return rpcError(c, 400, "INVALID_ARGUMENT", `the sandbox does not list ${type}`);
  const now = Date.now();
  const filter = c.req.query("filter") ?? "";
  const bounds = filter ? parseFilter(filter, type) : {};
  if (typeof bounds === "string") return rpcError(c, 400, "INVALID_ARGUMENT", bounds);
  const requested = c.req.query("pageSize");
  if (requested !== undefined && !/^\d+$/.test(requested)) return rpcError(c, 400, "INVALID_ARGUMENT", "pageSize must be a non-negative integer");
  const pageSize = Math.min(Number(requested) || DEFAULT_PAGE_SIZE[type], MAX_PAGE_SIZE[type], PAGE_CAP[type]);
  const query = `${type}|${filter}|${requested ?? ""}`;
  const token = c.req.query("pageToken");
  const offset = token ? readPageToken(token, query) : 0;
  if (offset === null) return rpcError(c, 400, "INVALID_ARGUMENT", "pageToken does not belong to this query");
  const from = bounds.from ?? now - DEFAULT_HISTORY_DAYS * DAY_MS;
  const points = listed(type, c.get("access").subject, from, bounds.to ?? now + 1, now);
  const page = points.slice(offset, offset + pageSize);
  const more = offset + pageSize < points.length;
  // proto3 JSON leaves an empty list out; the last page's token is "" (as in Google's codelab response).
  return c.json({ ...(page.length > 0 ? { dataPoints: page } : {}), nextPageToken: more ? pageToken(offset + pageSize, query) : "" });
});

function dailySteps(subject: string, day: string, now: number): number | null {
  const start = Date.parse(`${day}T00:00:00Z`);
  if (start >= now) return null;
  const full = int(random(seedOf("fitbit", "steps", subject, day)), 8500, 3000, 600, 26_000);
  // Today is still being walked: the total grows hour by hour.
  const elapsed = Math.min(1, Math.floor((now - start) / 3_600_000) / 24);
  return Math.round(full * elapsed);
}

// users.dataTypes.dataPoints.dailyRollUp, for steps (the path's last segment is `dataPoints:dailyRollUp`).
api.post("/v4/users/:user/dataTypes/:dataType/:method", async (c) => {
  if (c.req.param("method") !== "dataPoints:dailyRollUp") return rpcError(c, 404, "NOT_FOUND", "unknown method");
  if (!userMatches(c)) return rpcError(c, 404, "NOT_FOUND", "unknown user");
  if (c.req.param("dataType") !== "steps") return rpcError(c, 400, "INVALID_ARGUMENT", "the sandbox rolls up steps only");
  const body: unknown = await c.req.json().catch(() => null);
  const range = isObject(body) && isObject(body.range) ? body.range : null;
  const start = range && isObject(range.start) ? civilDate(range.start.date) : null;
  const end = range && isObject(range.end) ? civilDate(range.end.date) : null;
  if (!start || !end || end <= start) return rpcError(c, 400, "INVALID_ARGUMENT", "range needs a start and a later end date");
  const windowSizeDays = isObject(body) && body.windowSizeDays !== undefined ? body.windowSizeDays : 1;
  if (!Number.isInteger(windowSizeDays) || (windowSizeDays as number) < 1)
    return rpcError(c, 400, "INVALID_ARGUMENT", "windowSizeDays must be a positive integer");
  const startMs = Date.parse(`${start}T00:00:00Z`);
  const endMs = Date.parse(`${end}T00:00:00Z`);
  if (endMs - startMs > ROLL_UP_MAX_DAYS * DAY_MS) return rpcError(c, 400, "INVALID_ARGUMENT", `the range for steps is at most ${ROLL_UP_MAX_DAYS} days`);
  const now = Date.now();
  const windowMs = (windowSizeDays as number) * DAY_MS;
  const rollupDataPoints: DataPoint[] = [];
  for (let windowStart = startMs; windowStart < endMs; windowStart += windowMs) {
    const days = daysIn(windowStart, Math.min(windowStart + windowMs, endMs), now);
    const totals = days.map((day) => dailySteps(c.get("access").subject, day, now)).filter((steps) => steps !== null);
    if (totals.length === 0) continue;
    const sum = totals.reduce((total, steps) => total + steps, 0);
    rollupDataPoints.push({
      civilStartTime: { date: dateOf(windowStart) },
      civilEndTime: { date: dateOf(Math.min(windowStart + windowMs, endMs)) },
      // proto3 JSON leaves a zero int64 out.
      steps: sum > 0 ? { countSum: String(sum) } : {},
    });
  }
  return c.json(rollupDataPoints.length > 0 ? { rollupDataPoints: rollupDataPoints.reverse() } : {});
});

export const fitbitSandbox: ProviderSandbox = {
  source: "fitbit",
  hosts: ["health.googleapis.com"],
  accessTokenTtlSeconds: 3599,
  api,
};
