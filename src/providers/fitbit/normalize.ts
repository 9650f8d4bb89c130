import { collect, MalformedPayloadError, makeRecord, type NormalizedRecord, type NormalizeResult, type SkippedItem } from "../../domain/records";

/**
 * Google Health API v4 payloads → normalized records. Field names follow the v4 discovery document
 * (googleapis/google-api-go-client health/v4/health-api.json, revision 20260527).
 */
export type FitbitKind = "steps" | "heart_rate" | "daily_resting_heart_rate" | "sleep" | "exercise" | "weight";

const DAY_MS = 86_400_000;
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const MOTION_CONTEXT: Readonly<Record<string, string>> = { ACTIVE: "active", SEDENTARY: "sedentary" };
const SLEEP_STAGE: Readonly<Record<string, "deep" | "light" | "rem" | "awake">> = { DEEP: "deep", LIGHT: "light", REM: "rem", AWAKE: "awake" };

type Fields = Record<string, unknown>;

export function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** int64 fields arrive as JSON strings ("112"); a JSON number is accepted too, since Google's parsers do. */
export function int64(value: unknown): number | null {
  const number = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : typeof value === "number" ? value : NaN;
  return Number.isSafeInteger(number) ? number : null;
}

/** An RFC 3339 timestamp (`google-datetime`, up to nanoseconds) as epoch ms, or null (also for 30 February or 24:00). */
export function timestamp(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const match = RFC_3339.exec(value);
  if (!match) return null;
  const [year, month, day, hours, minutes, seconds] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const wallClock = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  const exists =
    wallClock.getUTCFullYear() === year &&
    wallClock.getUTCMonth() === month - 1 &&
    wallClock.getUTCDate() === day &&
    wallClock.getUTCHours() === hours &&
    wallClock.getUTCMinutes() === minutes &&
    wallClock.getUTCSeconds() === seconds;
  if (!exists) return null;
  const millis = match[7] ? match[7].slice(0, 4).padEnd(4, "0") : "";
  const ms = Date.parse(`${match.slice(1, 4).join("-")}T${match.slice(4, 7).join(":")}${millis}${match[8]}`);
  return Number.isNaN(ms) ? null : ms;
}

/** A `google.type.Date` with year, month and day all set, as YYYY-MM-DD; partial or impossible dates are null. */
export function civilDate(value: unknown): string | null {
  if (!isObject(value)) return null;
  const { year, month, day } = value;
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  const ms = Date.UTC(year as number, (month as number) - 1, day as number);
  const date = new Date(ms);
  if ((year as number) < 1 || (year as number) > 9999 || date.getUTCFullYear() !== year || date.getUTCMonth() + 1 !== month || date.getUTCDate() !== day)
    return null;
  return date.toISOString().slice(0, 10);
}

function utcMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function skip(externalId: string | null, reason: string): SkippedItem {
  return { externalId, reason };
}

function dataPointName(point: Fields): string | null {
  return typeof point.name === "string" && point.name ? point.name : null;
}

/** The page's repeated field; proto3 JSON omits an empty list, so absent means none. */
function itemsOf(body: unknown, field: "dataPoints" | "rollupDataPoints", kind: FitbitKind): unknown[] {
  if (!isObject(body)) throw new MalformedPayloadError(`${kind}: the response is not a JSON object`);
  const items = body[field];
  if (items === undefined) return [];
  if (!Array.isArray(items)) throw new MalformedPayloadError(`${kind}: ${field} is not a list`);
  return items;
}

// steps: one dailyRollUp window (windowSizeDays 1) per civil day.
function dailySteps(point: unknown): NormalizedRecord | SkippedItem {
  if (!isObject(point)) return skip(null, "steps: rollup point is not an object");
  const date = isObject(point.civilStartTime) ? civilDate(point.civilStartTime.date) : null;
  if (!date) return skip(null, "steps: civilStartTime.date is missing or not a full date");
  const endDate = isObject(point.civilEndTime) ? civilDate(point.civilEndTime.date) : null;
  const start = utcMidnight(date);
  if (!endDate || utcMidnight(endDate) - start !== DAY_MS) return skip(date, "steps: rollup window is not one civil day");
  const stepsValue = point.steps;
  // An empty day comes back without a step sum; storing 0 would claim a measurement nobody made.
  if (!isObject(stepsValue) || stepsValue.countSum === undefined) return skip(date, "steps: no step total for the day");
  const count = int64(stepsValue.countSum);
  if (count === null || count < 0) return skip(date, "steps: countSum is not a non-negative integer");
  return makeRecord("daily_activity", {
    externalId: date,
    startTime: start,
    endTime: start + DAY_MS,
    data: { date, step_count: { value: count, unit: "steps" } },
    raw: point,
  });
}

/** "FITBIT/Google/Pixel Watch 3": where a point came from, from its `dataSource`; null when it says nothing. */
function dataSourceKey(dataSource: unknown): string | null {
  if (!isObject(dataSource)) return null;
  const device = isObject(dataSource.device) ? dataSource.device : {};
  const parts = [dataSource.platform, device.manufacturer, device.displayName ?? device.formFactor].filter(
    (part): part is string => typeof part === "string" && part.length > 0,
  );
  return parts.length > 0 ? parts.join("/").slice(0, 200) : null;
}

function heartRateSample(point: unknown): NormalizedRecord | SkippedItem {
  if (!isObject(point)) return skip(null, "heart_rate: data point is not an object");
  const name = dataPointName(point);
  const heartRate = point.heartRate;
  if (!isObject(heartRate)) return skip(name, "heart_rate: data point has no heartRate");
  const at = isObject(heartRate.sampleTime) ? timestamp(heartRate.sampleTime.physicalTime) : null;
  if (at === null) return skip(name, "heart_rate: sampleTime.physicalTime is missing or not RFC 3339");
  const dateTime = new Date(at).toISOString();
  // Heart-rate points are not identifiable (no `name`). The instant alone is not unique: two devices (a watch and
  // a chest strap) can each report a sample in the same second, and one would overwrite the other. The point's
  // data source (platform and device) completes the key.
  const source = dataSourceKey(point.dataSource);
  const externalId = name ?? (source ? `${dateTime}|${source}` : dateTime);
  const bpm = int64(heartRate.beatsPerMinute);
  if (bpm === null || bpm <= 0) return skip(externalId, "heart_rate: beatsPerMinute is missing or not a positive integer");
  const motion = isObject(heartRate.metadata) ? heartRate.metadata.motionContext : undefined;
  const context = typeof motion === "string" ? MOTION_CONTEXT[motion] : undefined;
  return makeRecord("heart_rate", {
    externalId,
    startTime: at,
    data: { effective_time_frame: { date_time: dateTime }, heart_rate: { value: bpm, unit: "beats/min" }, ...(context ? { context } : {}) },
    raw: point,
  });
}

function restingHeartRate(point: unknown): NormalizedRecord | SkippedItem {
  if (!isObject(point)) return skip(null, "daily_resting_heart_rate: data point is not an object");
  const resting = point.dailyRestingHeartRate;
  if (!isObject(resting)) return skip(dataPointName(point), "daily_resting_heart_rate: data point has no dailyRestingHeartRate");
  const date = civilDate(resting.date);
  if (!date) return skip(dataPointName(point), "daily_resting_heart_rate: date is missing or not a full date");
  const bpm = int64(resting.beatsPerMinute);
  if (bpm === null || bpm <= 0) return skip(date, "daily_resting_heart_rate: beatsPerMinute is missing or not a positive integer");
  const start = utcMidnight(date);
  return makeRecord("resting_heart_rate", {
    externalId: date,
    startTime: start,
    endTime: start + DAY_MS,
    data: { date, heart_rate: { value: bpm, unit: "beats/min" } },
    raw: point,
  });
}

/** Minutes (an int64 string) as seconds; undefined when absent, null when present but not a non-negative integer. */
function minutesAsSeconds(value: unknown): number | null | undefined {
  if (value === undefined) return undefined;
  const minutes = int64(value);
  return minutes === null || minutes < 0 ? null : minutes * 60;
}

type SleepStages = Partial<Record<"deep" | "light" | "rem" | "awake", { value: number; unit: "s" }>>;

/** DEEP/LIGHT/REM/AWAKE totals from `summary.stagesSummary`; CLASSIC sleep's ASLEEP and RESTLESS have no stage here. */
function sleepStages(stagesSummary: unknown): SleepStages | null {
  if (stagesSummary === undefined) return {};
  if (!Array.isArray(stagesSummary)) return null;
  const stages: SleepStages = {};
  for (const entry of stagesSummary) {
    if (!isObject(entry)) return null;
    const stage = typeof entry.type === "string" ? SLEEP_STAGE[entry.type] : undefined;
    const seconds = minutesAsSeconds(entry.minutes);
    if (seconds === null) return null;
    if (!stage || seconds === undefined) continue;
    stages[stage] = { value: (stages[stage]?.value ?? 0) + seconds, unit: "s" };
  }
  return stages;
}

function sleepSession(point: unknown): NormalizedRecord | SkippedItem {
  if (!isObject(point)) return skip(null, "sleep: data point is not an object");
  const sleep = point.sleep;
  if (!isObject(sleep)) return skip(dataPointName(point), "sleep: data point has no sleep");
  const interval = isObject(sleep.interval) ? sleep.interval : {};
  const start = timestamp(interval.startTime);
  const end = timestamp(interval.endTime);
  const metadata = isObject(sleep.metadata) ? sleep.metadata : {};
  const sourceId = typeof metadata.externalId === "string" && metadata.externalId ? metadata.externalId : null;
  const givenId = dataPointName(point) ?? sourceId;
  if (start === null || end === null || end <= start) return skip(givenId, "sleep: interval start/end are missing, not RFC 3339, or out of order");
  const id = givenId ?? new Date(start).toISOString();
  const summary = sleep.summary;
  if (!isObject(summary)) return skip(id, "sleep: no summary (the sleep is not processed yet)");
  const asleep = minutesAsSeconds(summary.minutesAsleep);
  if (asleep === undefined || asleep === null) return skip(id, "sleep: summary.minutesAsleep is missing or invalid");
  const inBed = minutesAsSeconds(summary.minutesInSleepPeriod);
  const latency = minutesAsSeconds(summary.minutesToFallAsleep);
  const stages = sleepStages(summary.stagesSummary);
  if (inBed === null || latency === null || stages === null) return skip(id, "sleep: summary has an invalid minutes value");
  return makeRecord("sleep_session", {
    externalId: id,
    startTime: start,
    endTime: end,
    data: {
      effective_time_frame: { time_interval: { start_date_time: new Date(start).toISOString(), end_date_time: new Date(end).toISOString() } },
      total_sleep_time: { value: asleep, unit: "s" },
      ...(inBed !== undefined ? { time_in_bed: { value: inBed, unit: "s" as const } } : {}),
      ...(Object.keys(stages).length > 0 ? { sleep_stages: stages } : {}),
      ...(latency !== undefined ? { latency_to_sleep_onset: { value: latency, unit: "s" as const } } : {}),
      // Google marks naps; a sleep that is not a nap is not necessarily the day's main sleep, so that stays unsaid.
      ...(metadata.nap === true ? { is_main_sleep: false } : {}),
    },
    raw: point,
  });
}

/** A finite number (a proto `double`), or null. */
function double(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** "WALKING" → "walking", "HIGH_INTENSITY_INTERVAL_TRAINING" → "high intensity interval training". */
function exerciseTypeName(value: unknown): string | null {
  return typeof value === "string" && value && value !== "EXERCISE_TYPE_UNSPECIFIED" ? value.toLowerCase().replaceAll("_", " ") : null;
}

// exercise: an identifiable session type (DISC-v4 `Exercise`, with its `MetricsSummary`).
function exerciseSession(point: unknown): NormalizedRecord | SkippedItem {
  if (!isObject(point)) return skip(null, "exercise: data point is not an object");
  const exercise = point.exercise;
  if (!isObject(exercise)) return skip(dataPointName(point), "exercise: data point has no exercise");
  const interval = isObject(exercise.interval) ? exercise.interval : {};
  const start = timestamp(interval.startTime);
  const end = timestamp(interval.endTime);
  const name = dataPointName(point);
  if (start === null || end === null || end <= start) return skip(name, "exercise: interval start/end are missing, not RFC 3339, or out of order");
  const activity = (typeof exercise.displayName === "string" && exercise.displayName.trim()) || exerciseTypeName(exercise.exerciseType);
  if (!activity) return skip(name, "exercise: neither displayName nor exerciseType says what it was");
  const metrics = isObject(exercise.metricsSummary) ? exercise.metricsSummary : {};
  const kcal = double(metrics.caloriesKcal);
  // Google's own codelab response spells it `distanceMillimiters`; the discovery document says `distanceMillimeters`.
  const millimeters = double(metrics.distanceMillimeters ?? metrics.distanceMillimiters);
  const averageBpm = int64(metrics.averageHeartRateBeatsPerMinute);
  return makeRecord("workout", {
    externalId: name ?? new Date(start).toISOString(),
    startTime: start,
    endTime: end,
    data: {
      effective_time_frame: { time_interval: { start_date_time: new Date(start).toISOString(), end_date_time: new Date(end).toISOString() } },
      activity_name: activity,
      ...(kcal !== null && kcal >= 0 ? { kcal_burned: { value: kcal, unit: "kcal" as const } } : {}),
      ...(millimeters !== null && millimeters >= 0 ? { distance: { value: millimeters / 1000, unit: "m" as const } } : {}),
      ...(averageBpm !== null && averageBpm > 0 ? { heart_rate_average: { value: averageBpm, unit: "beats/min" as const } } : {}),
    },
    raw: point,
  });
}

// weight: a sample type (DISC-v4 `Weight`: sampleTime, weightGrams as a double).
function weightSample(point: unknown): NormalizedRecord | SkippedItem {
  if (!isObject(point)) return skip(null, "weight: data point is not an object");
  const name = dataPointName(point);
  const weight = point.weight;
  if (!isObject(weight)) return skip(name, "weight: data point has no weight");
  const at = isObject(weight.sampleTime) ? timestamp(weight.sampleTime.physicalTime) : null;
  if (at === null) return skip(name, "weight: sampleTime.physicalTime is missing or not RFC 3339");
  const dateTime = new Date(at).toISOString();
  // As with heart rate, two scales (or a scale and a manual entry) can record the same instant: the source completes the key.
  const source = dataSourceKey(point.dataSource);
  const externalId = name ?? (source ? `${dateTime}|${source}` : dateTime);
  const grams = double(weight.weightGrams);
  if (grams === null || grams <= 0) return skip(externalId, "weight: weightGrams is missing or not a positive number");
  return makeRecord("body_weight", {
    externalId,
    startTime: at,
    data: { effective_time_frame: { date_time: dateTime }, body_weight: { value: grams / 1000, unit: "kg" } },
    raw: point,
  });
}

/** Pure: one page of a Google Health API response → records and skipped items. */
export function normalizeFitbit(kind: FitbitKind, body: unknown): NormalizeResult {
  switch (kind) {
    case "steps":
      return collect(itemsOf(body, "rollupDataPoints", kind).map(dailySteps));
    case "heart_rate":
      return collect(itemsOf(body, "dataPoints", kind).map(heartRateSample));
    case "daily_resting_heart_rate":
      return collect(itemsOf(body, "dataPoints", kind).map(restingHeartRate));
    case "sleep":
      return collect(itemsOf(body, "dataPoints", kind).map(sleepSession));
    case "exercise":
      return collect(itemsOf(body, "dataPoints", kind).map(exerciseSession));
    case "weight":
      return collect(itemsOf(body, "dataPoints", kind).map(weightSample));
    default:
      throw new MalformedPayloadError(`unknown Fitbit kind ${String(kind)}`);
  }
}
