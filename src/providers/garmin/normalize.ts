import { collect, MalformedPayloadError, makeRecord, type NormalizedRecord, type NormalizeResult, type SkippedItem } from "../../domain/records";

/** The Health API summary types this adapter syncs; each is also the list key of its push/ping body. */
export const GARMIN_KINDS = ["dailies", "sleeps", "epochs"] as const;
export type GarminKind = (typeof GARMIN_KINDS)[number];

export function isGarminKind(value: string): value is GarminKind {
  return (GARMIN_KINDS as readonly string[]).includes(value);
}

type Summary = Record<string, unknown>;
type Result = NormalizedRecord | SkippedItem;

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** 9999-12-31T23:59:59Z: later "timestamps" are not times (and would not survive Date/ISO formatting). */
const LAST_TIMESTAMP_S = 253_402_300_799;

function isObject(value: unknown): value is Summary {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberAt(summary: Summary, key: string): number | undefined {
  const value = summary[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A UTC epoch-seconds timestamp, only if it is one. */
function timestampAt(summary: Summary, key: string): number | undefined {
  const value = numberAt(summary, key);
  return value !== undefined && value >= 0 && value <= LAST_TIMESTAMP_S ? value : undefined;
}

function summaryIdOf(summary: Summary): string | null {
  const id = summary.summaryId;
  return typeof id === "string" && id.trim() !== "" ? id : null;
}

function calendarDateOf(summary: Summary): string | undefined {
  const date = summary.calendarDate;
  return typeof date === "string" && CALENDAR_DATE.test(date) && !Number.isNaN(Date.parse(date)) ? date : undefined;
}

/**
 * An instant as ISO 8601 in the device's displayed time. Garmin timestamps are UTC epoch seconds and
 * `startTimeOffsetInSeconds` is what the device showed relative to UTC (Health API §6.2), so it is kept as the offset.
 */
function isoAt(epochSeconds: number, offsetSeconds: number | undefined): string {
  const utc = new Date(epochSeconds * 1000);
  // An impossible instant yields a string the record schema rejects, so the summary is skipped with a reason.
  if (Number.isNaN(utc.getTime())) return "invalid time";
  if (offsetSeconds === undefined || offsetSeconds % 60 !== 0 || Math.abs(offsetSeconds) >= 86_400) return utc.toISOString();
  const local = new Date((epochSeconds + offsetSeconds) * 1000).toISOString().slice(0, 19);
  const minutes = Math.abs(offsetSeconds) / 60;
  const sign = offsetSeconds < 0 ? "-" : "+";
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** The summary as stored in `raw`: everything Garmin sent except the OAuth 1.0a user access token. */
function withoutCredentials(summary: Summary): Summary {
  const { userAccessToken: _token, ...rest } = summary;
  return rest;
}

/** The summaries in a push body (`{"dailies": [...]}`) or a pull response (a bare array). */
function summariesIn(kind: string, body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isObject(body) && Array.isArray(body[kind])) return body[kind];
  throw new MalformedPayloadError(`Garmin ${kind}: expected an array of summaries or {"${kind}": [...]}`);
}

function skip(kind: GarminKind, externalId: string | null, reason: string): SkippedItem {
  return { externalId, reason: `${kind}: ${reason}` };
}

/**
 * Dailies → daily_activity, and resting_heart_rate when the day has one. A daily covers the device's local day, so
 * without `calendarDate` the date is the local date of its start (start + offset, Health API §6.2).
 */
function normalizeDaily(summary: Summary, raw: Summary): Result[] {
  const id = summaryIdOf(summary);
  if (!id) return [skip("dailies", null, "missing summaryId")];
  const start = timestampAt(summary, "startTimeInSeconds");
  if (start === undefined) return [skip("dailies", id, "missing or invalid startTimeInSeconds")];
  const offset = numberAt(summary, "startTimeOffsetInSeconds");
  const date = calendarDateOf(summary) ?? (offset === undefined || Math.abs(offset) >= 86_400 ? undefined : isoAt(start + offset, 0).slice(0, 10));
  if (!date) return [skip("dailies", id, "missing calendarDate (and no startTimeOffsetInSeconds to derive it)")];
  const duration = numberAt(summary, "durationInSeconds");
  const times = { externalId: id, startTime: start * 1000, endTime: duration === undefined ? null : (start + duration) * 1000, raw };

  const results: Result[] = [];
  const steps = numberAt(summary, "steps");
  if (steps === undefined || steps < 0) {
    results.push(skip("dailies", id, "missing or negative steps"));
  } else {
    const active = numberAt(summary, "activeKilocalories");
    const bmr = numberAt(summary, "bmrKilocalories");
    const moderate = numberAt(summary, "moderateIntensityDurationInSeconds");
    const vigorous = numberAt(summary, "vigorousIntensityDurationInSeconds");
    const distance = numberAt(summary, "distanceInMeters");
    const heartRate = dailyHeartRate(summary);
    results.push(
      makeRecord("daily_activity", {
        ...times,
        data: {
          date,
          step_count: { value: steps, unit: "steps" },
          ...(active !== undefined ? { active_energy_burned: { value: active, unit: "kcal" } } : {}),
          // Garmin reports active and basal energy separately; their sum is the day's total.
          ...(active !== undefined && bmr !== undefined ? { total_energy_burned: { value: active + bmr, unit: "kcal" } } : {}),
          // Time spent at moderate (3–6 MET) plus vigorous (> 6 MET) intensity; not Garmin's doubled "intensity minutes".
          ...(moderate !== undefined && vigorous !== undefined ? { active_minutes: { value: (moderate + vigorous) / 60, unit: "min" } } : {}),
          ...(distance !== undefined ? { distance: { value: distance, unit: "m" } } : {}),
          ...heartRate,
        },
      }),
    );
  }
  results.push(...heartRateSamples(summary, id, start, offset));

  const resting = numberAt(summary, "restingHeartRateInBeatsPerMinute");
  if (resting !== undefined) {
    results.push(
      resting > 0
        ? makeRecord("resting_heart_rate", { ...times, data: { date, heart_rate: { value: resting, unit: "beats/min" } } })
        : skip("dailies", id, "restingHeartRateInBeatsPerMinute is not a positive number"),
    );
  }
  return results;
}

const bpm = (value: number) => ({ value, unit: "beats/min" as const });

/** The day's lowest, average and highest heart rate, each only when Garmin measured it (a positive number). */
function dailyHeartRate(summary: Summary) {
  const positive = (key: string) => {
    const value = numberAt(summary, key);
    return value !== undefined && value > 0 ? value : undefined;
  };
  const min = positive("minHeartRateInBeatsPerMinute");
  const average = positive("averageHeartRateInBeatsPerMinute");
  const max = positive("maxHeartRateInBeatsPerMinute");
  return {
    ...(min !== undefined ? { heart_rate_min: bpm(min) } : {}),
    ...(average !== undefined ? { heart_rate_average: bpm(average) } : {}),
    ...(max !== undefined ? { heart_rate_max: bpm(max) } : {}),
  };
}

/**
 * A daily's `timeOffsetHeartRateSamples` (Health API §7.1): `{"<seconds after startTimeInSeconds>": bpm}`, every
 * 15 seconds while worn. Each becomes a heart_rate sample keyed by its instant: one person's Garmin account has
 * one heart-rate stream, and a daily re-sent with more samples (Garmin updates a day as it goes) rewrites the same
 * keys rather than adding copies.
 */
function heartRateSamples(summary: Summary, id: string, start: number, offset: number | undefined): Result[] {
  const samples = summary.timeOffsetHeartRateSamples;
  if (samples === undefined) return [];
  if (!isObject(samples)) return [skip("dailies", id, "timeOffsetHeartRateSamples is not an object of offsets to beats per minute")];
  const results: Result[] = [];
  for (const [key, value] of Object.entries(samples)) {
    const seconds = Number(key);
    if (!/^\d{1,6}$/.test(key) || seconds > 172_800 || typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      results.push(skip("dailies", `${id}@${key.slice(0, 12)}`, "heart-rate sample is not a non-negative offset with a positive bpm"));
      continue;
    }
    const at = start + seconds;
    results.push(
      makeRecord("heart_rate", {
        externalId: `hr:${new Date(at * 1000).toISOString()}`,
        startTime: at * 1000,
        data: { effective_time_frame: { date_time: isoAt(at, offset) }, heart_rate: bpm(value) },
        // Samples keep no raw copy (RECORD_SHAPES): the daily that carried them is kept with its daily_activity.
        raw: null,
      }),
    );
  }
  return results;
}

type Stage = "deep" | "light" | "rem" | "awake";

function stagesIn(stages: Record<Stage, number | undefined>): Partial<Record<Stage, { value: number; unit: "s" }>> {
  const measured: Partial<Record<Stage, { value: number; unit: "s" }>> = {};
  for (const [stage, seconds] of Object.entries(stages) as [Stage, number | undefined][]) {
    if (seconds !== undefined) measured[stage] = { value: seconds, unit: "s" };
  }
  return measured;
}

/**
 * Sleeps → sleep_session, plus daily_sleep when Garmin scored the night. The session runs from the start for
 * `durationInSeconds`; time asleep is the sum of the staged time (deep + light + REM). An OFF_WRIST sleep has no
 * stages ("only start and end sleep times will be provided"), so its whole duration is the only measure there is.
 */
function normalizeSleep(summary: Summary, raw: Summary): Result[] {
  const id = summaryIdOf(summary);
  if (!id) return [skip("sleeps", null, "missing summaryId")];
  const start = timestampAt(summary, "startTimeInSeconds");
  if (start === undefined) return [skip("sleeps", id, "missing or invalid startTimeInSeconds")];
  const duration = numberAt(summary, "durationInSeconds");
  if (duration === undefined || duration < 0) return [skip("sleeps", id, "missing or negative durationInSeconds")];
  const offset = numberAt(summary, "startTimeOffsetInSeconds");

  const stages: Record<Stage, number | undefined> = {
    deep: numberAt(summary, "deepSleepDurationInSeconds"),
    light: numberAt(summary, "lightSleepDurationInSeconds"),
    rem: numberAt(summary, "remSleepInSeconds"),
    awake: numberAt(summary, "awakeDurationInSeconds"),
  };
  if (Object.values(stages).some((seconds) => seconds !== undefined && seconds < 0)) return [skip("sleeps", id, "negative sleep stage duration")];
  const asleep = (stages.deep ?? 0) + (stages.light ?? 0) + (stages.rem ?? 0);
  const staged = asleep > 0;

  const overall = summary.overallSleepScore;
  const scoreValue = isObject(overall) ? numberAt(overall, "value") : undefined;
  const score = scoreValue !== undefined && scoreValue >= 0 && scoreValue <= 100 ? scoreValue : undefined;

  const times = { externalId: id, startTime: start * 1000, endTime: (start + duration) * 1000, raw };
  const results: Result[] = [
    makeRecord("sleep_session", {
      ...times,
      data: {
        effective_time_frame: { time_interval: { start_date_time: isoAt(start, offset), end_date_time: isoAt(start + duration, offset) } },
        total_sleep_time: { value: staged ? asleep : duration, unit: "s" },
        ...(staged ? { sleep_stages: stagesIn(stages) } : {}),
        ...(score !== undefined ? { score } : {}),
      },
    }),
  ];

  if (scoreValue !== undefined && score === undefined) {
    results.push(skip("sleeps", id, "overallSleepScore.value is outside 0–100"));
  } else if (score !== undefined) {
    // A night spans two dates: Garmin files a sleep under the day the person woke up, so without calendarDate the
    // date is the local date of its end (end + offset, Health API §6.2). Without an offset it stays unknown.
    const wake = offset === undefined || Math.abs(offset) >= 86_400 ? undefined : isoAt(start + duration + offset, 0).slice(0, 10);
    const date = calendarDateOf(summary) ?? wake;
    results.push(
      date
        ? makeRecord("daily_sleep", { ...times, data: { date, score } })
        : skip("sleeps", id, "sleep score without calendarDate or startTimeOffsetInSeconds: the day it belongs to is unknown"),
    );
  }
  return results;
}

/**
 * Epochs are 15-minute steps/energy/intensity slices, not heart-rate measurements, and the Health API documents
 * no heart-rate field on them. Should an epoch carry `meanHeartRateInBeatsPerMinute` it becomes one heart_rate
 * sample at the epoch's start; otherwise it is skipped (intraday steps and energy have no normalized kind yet).
 */
function normalizeEpoch(summary: Summary, raw: Summary): Result[] {
  const id = summaryIdOf(summary);
  if (!id) return [skip("epochs", null, "missing summaryId")];
  const start = timestampAt(summary, "startTimeInSeconds");
  if (start === undefined) return [skip("epochs", id, "missing or invalid startTimeInSeconds")];
  const heartRate = numberAt(summary, "meanHeartRateInBeatsPerMinute");
  if (heartRate === undefined) return [skip("epochs", id, "15-minute activity epoch carries no heart rate; steps and energy per epoch are not stored")];
  if (heartRate <= 0) return [skip("epochs", id, "meanHeartRateInBeatsPerMinute is not a positive number")];
  const duration = numberAt(summary, "durationInSeconds");
  return [
    makeRecord("heart_rate", {
      externalId: id,
      startTime: start * 1000,
      endTime: duration === undefined ? null : (start + duration) * 1000,
      data: {
        effective_time_frame: { date_time: isoAt(start, numberAt(summary, "startTimeOffsetInSeconds")) },
        heart_rate: { value: heartRate, unit: "beats/min" },
      },
      raw,
    }),
  ];
}

const NORMALIZERS: Record<GarminKind, (summary: Summary, raw: Summary) => Result[]> = {
  dailies: normalizeDaily,
  sleeps: normalizeSleep,
  epochs: normalizeEpoch,
};

/** Pure: a Garmin push body or pull response of one summary type → normalized records and skipped summaries. */
export function normalizeGarmin(kind: GarminKind, body: unknown): NormalizeResult {
  if (!isGarminKind(kind)) throw new MalformedPayloadError(`Garmin has no summary type "${String(kind)}" in this adapter`);
  const results: Result[] = [];
  for (const summary of summariesIn(kind, body)) {
    if (!isObject(summary)) {
      results.push(skip(kind, null, "summary is not an object"));
      continue;
    }
    results.push(...NORMALIZERS[kind](summary, withoutCredentials(summary)));
  }
  return collect(results);
}
