import { z } from "zod";
import { collect, MalformedPayloadError, makeRecord, type NormalizedRecord, type NormalizeResult, type SkippedItem } from "../../domain/records";

/**
 * WHOOP Developer API v2 payloads → normalized records. Field names and shapes follow WHOOP's OpenAPI document
 * (https://developer.whoop.com/api). Pure: no I/O, no clock.
 */

export type WhoopKind = "cycle" | "recovery" | "sleep" | "workout" | "body_measurement";

/** WHOOP's recovery carries no time of its own, so `pull` hands each recovery page over with the sleeps it scores. */
export interface WhoopRecoveryPage {
  page: unknown;
  sleeps: unknown[];
}

/** WHOOP's body measurement is the member's current profile value with no time, so `pull` stamps when it read it. */
export interface WhoopBodyMeasurementPage {
  measurement: unknown;
  read_at: string;
}

const KILOCALORIES_PER_KILOJOULE = 0.239006;

const DateTime = z.iso.datetime({ offset: true });
/** WHOOP's Time Zone Designator: 'Z', '+hh:mm' or '-hh:mm'. */
const TimeZoneDesignator = z.string().regex(/^(Z|[+-](0\d|1[0-4]):[0-5]\d)$/);
const Milli = z.number().int().nonnegative();
const SafeId = z.number().int().nonnegative().refine(Number.isSafeInteger, "is not a safe integer");

const Collection = z.object({ records: z.array(z.unknown()), next_token: z.string().nullish() });

const Cycle = z.object({
  id: SafeId,
  start: DateTime,
  end: DateTime.optional(),
  timezone_offset: TimeZoneDesignator,
  score: z.object({
    strain: z.number().min(0),
    kilojoule: z.number().min(0),
    average_heart_rate: z.number().positive(),
    max_heart_rate: z.number().positive(),
  }),
});

const Recovery = z.object({
  cycle_id: SafeId,
  sleep_id: z.string().min(1),
  score: z.object({
    user_calibrating: z.boolean(),
    recovery_score: z.number(),
    resting_heart_rate: z.number().positive(),
    hrv_rmssd_milli: z.number().positive(),
    spo2_percentage: z.number().optional(),
    skin_temp_celsius: z.number().optional(),
  }),
});

const Sleep = z.object({
  id: z.string().min(1),
  start: DateTime,
  end: DateTime,
  timezone_offset: TimeZoneDesignator,
  nap: z.boolean(),
  score: z.object({
    stage_summary: z.object({
      total_in_bed_time_milli: Milli,
      total_awake_time_milli: Milli,
      total_light_sleep_time_milli: Milli,
      total_slow_wave_sleep_time_milli: Milli,
      total_rem_sleep_time_milli: Milli,
    }),
    respiratory_rate: z.number().positive().optional(),
    sleep_performance_percentage: z.number().optional(),
    sleep_efficiency_percentage: z.number().optional(),
  }),
});

/** Just what a recovery needs from its sleep: when it ended, in the member's time zone. */
const SleepEnd = z.object({
  id: z.string().min(1),
  cycle_id: SafeId.optional(),
  nap: z.boolean().optional(),
  end: DateTime,
  timezone_offset: TimeZoneDesignator,
});

const Workout = z.object({
  id: z.string().min(1),
  start: DateTime,
  end: DateTime,
  timezone_offset: TimeZoneDesignator,
  sport_name: z.string().min(1).optional(),
  // Deprecated by WHOOP ("will not exist past 09/01/2025"); used only when sport_name is missing.
  sport_id: z.number().int().optional(),
  score: z.object({
    strain: z.number().min(0),
    kilojoule: z.number().min(0),
    average_heart_rate: z.number().positive(),
    max_heart_rate: z.number().positive(),
    distance_meter: z.number().min(0).optional(),
  }),
});

const BodyMeasurementPage = z.object({ measurement: z.record(z.string(), z.unknown()), read_at: DateTime });

export function normalizeWhoop(kind: WhoopKind, body: unknown): NormalizeResult {
  switch (kind) {
    case "cycle":
      return normalizeScored(body, "cycle", (item) => idField(item, "id"), Cycle, cycleRecord);
    case "recovery":
      return normalizeRecoveries(body);
    case "sleep":
      return normalizeScored(body, "sleep", (item) => idField(item, "id"), Sleep, sleepRecord);
    case "workout":
      return normalizeScored(body, "workout", (item) => idField(item, "id"), Workout, workoutRecord);
    case "body_measurement":
      return normalizeBodyMeasurement(body);
    default:
      throw new MalformedPayloadError(`WHOOP has no data kind ${JSON.stringify(kind)}`);
  }
}

type Result = NormalizedRecord | SkippedItem;

/**
 * WHOOP's collection envelope, item by item: only SCORED items carry measurements. PENDING_SCORE items are scored
 * later (the sync's lookback re-reads them) and UNSCORABLE ones never are, so both are skipped, not guessed.
 */
function normalizeScored<T>(
  body: unknown,
  label: string,
  idOf: (item: unknown) => string | null,
  schema: z.ZodType<T>,
  toRecord: (item: T, raw: unknown) => Result,
): NormalizeResult {
  const page = Collection.safeParse(body);
  if (!page.success) throw new MalformedPayloadError(`WHOOP ${label} page is not { records: [...], next_token }`);
  return collect(page.data.records.map((raw) => scoredItem(raw, label, idOf(raw), schema, (item) => toRecord(item, raw))));
}

function scoredItem<T>(raw: unknown, label: string, externalId: string | null, schema: z.ZodType<T>, toRecord: (item: T) => Result): Result {
  if (externalId === null) return { externalId: null, reason: `${label}: item has no id` };
  const state = typeof raw === "object" && raw !== null && "score_state" in raw ? raw.score_state : undefined;
  if (state === "PENDING_SCORE") return { externalId, reason: `${label}: WHOOP is still scoring it (PENDING_SCORE); a later pull reads it once scored` };
  if (state === "UNSCORABLE") return { externalId, reason: `${label}: WHOOP could not score it (UNSCORABLE), usually too little data for its time range` };
  if (state !== "SCORED") return { externalId, reason: `${label}: unknown score_state ${JSON.stringify(state)?.slice(0, 40)}` };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { externalId, reason: `${label}: ${describeIssue(parsed.error)}` };
  return toRecord(parsed.data);
}

function cycleRecord(cycle: z.infer<typeof Cycle>, raw: unknown): Result {
  const externalId = String(cycle.id);
  // WHOOP's current cycle has no end until the member next falls asleep; its strain is not final until then.
  if (cycle.end === undefined) return { externalId, reason: "cycle: still in progress (no end yet); recorded once it ends" };
  const start = Date.parse(cycle.start);
  const end = Date.parse(cycle.end);
  return makeRecord("daily_strain", {
    externalId,
    startTime: start,
    endTime: end,
    data: {
      effective_time_frame: { time_interval: localInterval(start, end, cycle.timezone_offset) },
      strain: cycle.score.strain,
      kcal_burned: kilocalories(cycle.score.kilojoule),
      heart_rate_average: { value: cycle.score.average_heart_rate, unit: "beats/min" },
      heart_rate_max: { value: cycle.score.max_heart_rate, unit: "beats/min" },
    },
    raw,
  });
}

function sleepRecord(sleep: z.infer<typeof Sleep>, raw: unknown): Result {
  const stages = sleep.score.stage_summary;
  const start = Date.parse(sleep.start);
  const end = Date.parse(sleep.end);
  const asleepMilli = stages.total_light_sleep_time_milli + stages.total_slow_wave_sleep_time_milli + stages.total_rem_sleep_time_milli;
  const { sleep_efficiency_percentage: efficiency, respiratory_rate: respiratoryRate, sleep_performance_percentage: performance } = sleep.score;
  return makeRecord("sleep_session", {
    externalId: sleep.id,
    startTime: start,
    endTime: end,
    data: {
      effective_time_frame: { time_interval: localInterval(start, end, sleep.timezone_offset) },
      total_sleep_time: seconds(asleepMilli),
      time_in_bed: seconds(stages.total_in_bed_time_milli),
      sleep_stages: {
        deep: seconds(stages.total_slow_wave_sleep_time_milli),
        light: seconds(stages.total_light_sleep_time_milli),
        rem: seconds(stages.total_rem_sleep_time_milli),
        awake: seconds(stages.total_awake_time_milli),
      },
      is_main_sleep: !sleep.nap,
      ...(efficiency !== undefined && { sleep_maintenance_efficiency_percentage: { value: efficiency, unit: "%" } }),
      ...(respiratoryRate !== undefined && { respiratory_rate: { value: respiratoryRate, unit: "breaths/min" } }),
      // Sleep Performance is WHOOP's headline sleep score; WHOOP omits it until it knows the member's sleep need.
      ...(performance !== undefined && performance >= 0 && performance <= 100 && { score: performance }),
    },
    raw,
  });
}

function workoutRecord(workout: z.infer<typeof Workout>, raw: unknown): Result {
  const activityName = workout.sport_name ?? (workout.sport_id !== undefined ? `WHOOP sport ${workout.sport_id}` : null);
  if (activityName === null) return { externalId: workout.id, reason: "workout: has neither sport_name nor sport_id" };
  const start = Date.parse(workout.start);
  const end = Date.parse(workout.end);
  const { score } = workout;
  return makeRecord("workout", {
    externalId: workout.id,
    startTime: start,
    endTime: end,
    data: {
      effective_time_frame: { time_interval: localInterval(start, end, workout.timezone_offset) },
      activity_name: activityName,
      strain: score.strain,
      kcal_burned: kilocalories(score.kilojoule),
      ...(score.distance_meter !== undefined && { distance: { value: score.distance_meter, unit: "m" } }),
      heart_rate_average: { value: score.average_heart_rate, unit: "beats/min" },
      heart_rate_max: { value: score.max_heart_rate, unit: "beats/min" },
    },
    raw,
  });
}

/**
 * Recovery → readiness. The readiness `date` is the member's local calendar day on which the scored sleep ended:
 * the morning they woke up, which is the day WHOOP's app shows that recovery for. WHOOP's recovery has no times,
 * so the sleep comes from the same pull. `skin_temp_celsius` is an absolute temperature and WHOOP publishes no
 * baseline, so it is not turned into the contract's deviation.
 */
function normalizeRecoveries(body: unknown): NormalizeResult {
  if (typeof body !== "object" || body === null || !("page" in body) || !("sleeps" in body) || !Array.isArray(body.sleeps)) {
    throw new MalformedPayloadError("WHOOP recovery page is not paired with its sleeps");
  }
  const sleepEnds = new Map<string, { end: number; timezoneOffset: string }>();
  const sleepByCycle = new Map<number, { end: number; timezoneOffset: string }>();
  for (const sleep of body.sleeps) {
    const parsed = SleepEnd.safeParse(sleep);
    if (!parsed.success) continue;
    const end = { end: Date.parse(parsed.data.end), timezoneOffset: parsed.data.timezone_offset };
    sleepEnds.set(parsed.data.id, end);
    // A cycle's recovery scores its main sleep, never a nap.
    if (parsed.data.cycle_id !== undefined && parsed.data.nap !== true) sleepByCycle.set(parsed.data.cycle_id, end);
  }
  return normalizeScored(
    body.page,
    "recovery",
    (item) => idField(item, "sleep_id"),
    Recovery,
    (recovery, raw) => {
      // WHOOP deviation: a recovery's `sleep_id` does not always name a sleep the sleep collection returns (WHOOP's
      // own published examples disagree), but both carry the physiological cycle: pair by `cycle_id` then.
      const sleep = sleepEnds.get(recovery.sleep_id) ?? sleepByCycle.get(recovery.cycle_id);
      if (!sleep)
        return {
          externalId: recovery.sleep_id,
          reason: "recovery: its sleep was not in this pull, so its day is unknown; a pull covering that sleep records it",
        };
      return makeRecord("readiness", {
        externalId: recovery.sleep_id,
        startTime: sleep.end,
        data: {
          date: localDateTime(sleep.end, sleep.timezoneOffset).slice(0, 10),
          score: recovery.score.recovery_score,
          resting_heart_rate: { value: recovery.score.resting_heart_rate, unit: "beats/min" },
          hrv_rmssd: { value: recovery.score.hrv_rmssd_milli, unit: "ms" },
          ...(recovery.score.spo2_percentage !== undefined && { spo2_percentage: { value: recovery.score.spo2_percentage, unit: "%" } }),
        },
        raw,
      });
    },
  );
}

/** One body-weight record per UTC day the weight was read, so polling the same value all day writes it once. */
function normalizeBodyMeasurement(body: unknown): NormalizeResult {
  const page = BodyMeasurementPage.safeParse(body);
  if (!page.success) throw new MalformedPayloadError("WHOOP body measurement is not { measurement: {...}, read_at }");
  const readAt = Date.parse(page.data.read_at);
  const externalId = `body-weight:${new Date(readAt).toISOString().slice(0, 10)}`;
  const weight = page.data.measurement.weight_kilogram;
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0) {
    return { records: [], skipped: [{ externalId, reason: "body_measurement: weight_kilogram is not a positive number" }] };
  }
  return collect([
    makeRecord("body_weight", {
      externalId,
      startTime: readAt,
      data: { effective_time_frame: { date_time: new Date(readAt).toISOString() }, body_weight: { value: weight, unit: "kg" } },
      raw: page.data.measurement,
    }),
  ]);
}

function idField(item: unknown, field: string): string | null {
  if (typeof item !== "object" || item === null) return null;
  const value = (item as Record<string, unknown>)[field];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return null;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "item"} ${issue?.message ?? "is invalid"}`;
}

function seconds(milli: number) {
  return { value: milli / 1000, unit: "s" as const };
}

function kilocalories(kilojoule: number) {
  return { value: kilojoule * KILOCALORIES_PER_KILOJOULE, unit: "kcal" as const };
}

function offsetMinutes(designator: string): number {
  if (designator === "Z") return 0;
  const minutes = Number(designator.slice(1, 3)) * 60 + Number(designator.slice(4, 6));
  return designator.startsWith("-") ? -minutes : minutes;
}

/** The instant written in the member's local time with WHOOP's offset, e.g. 2022-04-23T21:25:44.774-05:00. */
function localDateTime(epochMs: number, designator: string): string {
  const offset = offsetMinutes(designator);
  const wallClock = new Date(epochMs + offset * 60_000).toISOString().slice(0, -1);
  return offset === 0 ? `${wallClock}Z` : `${wallClock}${designator}`;
}

function localInterval(start: number, end: number, designator: string) {
  return { start_date_time: localDateTime(start, designator), end_date_time: localDateTime(end, designator) };
}
