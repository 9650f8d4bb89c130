import { z } from "zod";

/**
 * The normalized health-record contract every provider's `normalize` produces. Names follow Open mHealth where it
 * has a schema (effective_time_frame, unit-value pairs, sleep-episode fields) and units are UCUM codes
 * (`s`, `min`, `beats/min`, `ms`, `kcal`, `m`, `kg`, `Cel`, `%`, `mg/dL`, `mmol/L`, `mg/dL/min`).
 *
 * A record is identified by (user, source, kind, external_id): writing the same one twice is an upsert, never a
 * duplicate. `external_id` is the provider's id for the record where it has one; for samples without an id it is
 * the sample's time (and whatever else makes it unique), following Junction's rule for time series.
 */

const unit = <U extends string>(u: U) => z.object({ value: z.number().finite(), unit: z.literal(u) });

export const Seconds = unit("s");
export const Minutes = unit("min");
export const BeatsPerMinute = unit("beats/min");
export const Milliseconds = unit("ms");
export const Kilocalories = unit("kcal");
export const Meters = unit("m");
export const Kilograms = unit("kg");
export const Celsius = unit("Cel");
export const Percent = unit("%");
export const Steps = unit("steps");

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

export const TimeInterval = z.object({ start_date_time: isoDateTime, end_date_time: isoDateTime });
export const TimeFrame = z.union([z.object({ date_time: isoDateTime }), z.object({ time_interval: TimeInterval })]);

/** A score on the provider's 0–100 scale (Oura scores, WHOOP recovery %, Garmin sleep score). */
const Score = z.number().min(0).max(100);

export const SleepSession = z.object({
  effective_time_frame: z.object({ time_interval: TimeInterval }),
  total_sleep_time: Seconds,
  time_in_bed: Seconds.optional(),
  /** Time in each stage; absent stages were not measured. */
  sleep_stages: z.object({ deep: Seconds.optional(), light: Seconds.optional(), rem: Seconds.optional(), awake: Seconds.optional() }).optional(),
  latency_to_sleep_onset: Seconds.optional(),
  sleep_maintenance_efficiency_percentage: Percent.optional(),
  is_main_sleep: z.boolean().optional(),
  heart_rate_average: BeatsPerMinute.optional(),
  heart_rate_lowest: BeatsPerMinute.optional(),
  hrv_rmssd_average: Milliseconds.optional(),
  respiratory_rate: z.object({ value: z.number(), unit: z.literal("breaths/min") }).optional(),
  score: Score.optional(),
});

export const DailySleep = z.object({
  date: isoDate,
  score: Score,
  contributors: z.record(z.string(), z.number()).optional(),
});

/** Oura readiness and WHOOP recovery: how ready the body is today, 0–100. */
export const Readiness = z.object({
  date: isoDate,
  score: Score,
  resting_heart_rate: BeatsPerMinute.optional(),
  hrv_rmssd: Milliseconds.optional(),
  skin_temperature_deviation: Celsius.optional(),
  spo2_percentage: Percent.optional(),
  contributors: z.record(z.string(), z.number()).optional(),
});

export const DailyActivity = z.object({
  date: isoDate,
  step_count: Steps,
  active_energy_burned: Kilocalories.optional(),
  total_energy_burned: Kilocalories.optional(),
  active_minutes: Minutes.optional(),
  distance: Meters.optional(),
  score: Score.optional(),
});

export const HeartRateSample = z.object({
  effective_time_frame: z.object({ date_time: isoDateTime }),
  heart_rate: BeatsPerMinute,
  /** What the person was doing, where the provider says (`rest`, `awake`, `sleep`, `workout`, `live`…). */
  context: z.string().optional(),
});

export const RestingHeartRate = z.object({ date: isoDate, heart_rate: BeatsPerMinute });

export const HeartRateVariability = z.object({
  effective_time_frame: TimeFrame,
  rmssd: Milliseconds.optional(),
  sdnn: Milliseconds.optional(),
});

export const Workout = z.object({
  effective_time_frame: z.object({ time_interval: TimeInterval }),
  activity_name: z.string().min(1),
  /** WHOOP strain (0–21) or the provider's own load measure. */
  strain: z.number().min(0).optional(),
  kcal_burned: Kilocalories.optional(),
  distance: Meters.optional(),
  heart_rate_average: BeatsPerMinute.optional(),
  heart_rate_max: BeatsPerMinute.optional(),
});

/** WHOOP's physiological cycle: a day's strain and energy, bounded by sleeps rather than midnights. */
export const DailyStrain = z.object({
  effective_time_frame: z.object({ time_interval: TimeInterval }),
  strain: z.number().min(0),
  kcal_burned: Kilocalories.optional(),
  heart_rate_average: BeatsPerMinute.optional(),
  heart_rate_max: BeatsPerMinute.optional(),
});

export const BodyWeight = z.object({ effective_time_frame: z.object({ date_time: isoDateTime }), body_weight: Kilograms });

/** UCUM's millimetre of mercury, the unit of blood pressure. */
export const MillimetersOfMercury = unit("mm[Hg]");

/**
 * Who a measurement belongs to and how it was taken, as the device's maker says: a scale shared by a household
 * may not know whose weight it read (`device_ambiguous`), and a person may type a value in (`manual`). Kept on the
 * record, never used to drop it: the person decides what to believe.
 */
export const MeasurementSource = z.object({
  device_id: z.string().min(1).nullable(),
  model: z.string().min(1).optional(),
  attribution: z.enum(["device", "device_ambiguous", "manual", "manual_at_signup", "device_auto", "confirmed", "guided", "other"]),
  /** The provider's own attribution code, for what the enum above cannot say. */
  attribution_code: z.number().int(),
});

/** One weigh-in of a body-composition scale (OMH body-weight / body-fat-percentage, with the rest alongside). */
export const BodyComposition = z.object({
  effective_time_frame: z.object({ date_time: isoDateTime }),
  body_weight: Kilograms.optional(),
  body_fat_percentage: Percent.optional(),
  fat_mass: Kilograms.optional(),
  fat_free_mass: Kilograms.optional(),
  muscle_mass: Kilograms.optional(),
  /** Total body water, as a mass (Withings reports kilograms, not a percentage). */
  hydration: Kilograms.optional(),
  bone_mass: Kilograms.optional(),
  /** The pulse a scale reads through the feet while weighing. */
  heart_rate: BeatsPerMinute.optional(),
  source: MeasurementSource,
});

/** A blood-pressure reading (OMH blood-pressure 1.0: systolic and diastolic in mmHg), with the pulse taken with it. */
export const BloodPressure = z.object({
  effective_time_frame: z.object({ date_time: isoDateTime }),
  systolic_blood_pressure: MillimetersOfMercury,
  diastolic_blood_pressure: MillimetersOfMercury,
  heart_rate: BeatsPerMinute.optional(),
  source: MeasurementSource,
});

export const GlucoseTrend = z.enum([
  "doubleUp",
  "singleUp",
  "fortyFiveUp",
  "flat",
  "fortyFiveDown",
  "singleDown",
  "doubleDown",
  "notComputable",
  "rateOutOfRange",
  "none",
  "unknown",
]);

/** A CGM sensor reading (OMH blood-glucose 4.0, specimen: interstitial fluid; LOINC 99504-3 / 105272-9). */
export const GlucoseReading = z.object({
  effective_time_frame: z.object({ date_time: isoDateTime }),
  blood_glucose: unit("mg/dL"),
  blood_glucose_molar: unit("mmol/L"),
  specimen_source: z.literal("interstitial fluid"),
  trend: GlucoseTrend,
  trend_rate: unit("mg/dL/min").optional(),
  /** Dexcom's `high`/`low` when the sensor was out of its measuring range: the value is the range limit. */
  status: z.enum(["ok", "high", "low", "unknown"]).optional(),
  display_time: z.string().optional(),
  device: z.string().optional(),
});

export const GlucoseCalibration = z.object({
  effective_time_frame: z.object({ date_time: isoDateTime }),
  blood_glucose: unit("mg/dL"),
  blood_glucose_molar: unit("mmol/L"),
  specimen_source: z.literal("capillary blood"),
});

export const CgmEvent = z.object({
  effective_time_frame: z.object({ date_time: isoDateTime }),
  event_type: z.enum(["carbs", "insulin", "exercise", "health", "bloodGlucose", "notes", "unknown"]),
  event_subtype: z.string().optional(),
  value: z.number().optional(),
  unit: z.string().optional(),
  status: z.enum(["created", "updated", "deleted"]),
});

export const RECORD_BODIES = {
  sleep_session: SleepSession,
  daily_sleep: DailySleep,
  readiness: Readiness,
  daily_activity: DailyActivity,
  heart_rate: HeartRateSample,
  resting_heart_rate: RestingHeartRate,
  hrv: HeartRateVariability,
  workout: Workout,
  daily_strain: DailyStrain,
  body_weight: BodyWeight,
  body_composition: BodyComposition,
  blood_pressure: BloodPressure,
  glucose_reading: GlucoseReading,
  glucose_calibration: GlucoseCalibration,
  cgm_event: CgmEvent,
} as const;

export type RecordKind = keyof typeof RECORD_BODIES;
export const RecordKind = z.enum(Object.keys(RECORD_BODIES) as [RecordKind, ...RecordKind[]]);

/**
 * What a kind of record is, which decides how it is stored. A `sample` is one value of a dense series (a heart
 * rate every few minutes, a CGM reading every five): its body holds everything the provider said about it, so
 * its `raw` is not kept (it would roughly double the bytes per person-day, docs/capacity.md). Summaries,
 * sessions, measurements and events keep `raw`: a future fix to `normalize` can re-derive them from it.
 */
type RecordShape = "sample" | "summary" | "session" | "measurement" | "event";

export const RECORD_SHAPES: Record<RecordKind, RecordShape> = {
  sleep_session: "session",
  daily_sleep: "summary",
  readiness: "summary",
  daily_activity: "summary",
  heart_rate: "sample",
  resting_heart_rate: "summary",
  hrv: "measurement",
  workout: "session",
  daily_strain: "summary",
  body_weight: "measurement",
  body_composition: "measurement",
  blood_pressure: "measurement",
  glucose_reading: "sample",
  glucose_calibration: "measurement",
  cgm_event: "event",
};

/** Whether the provider's payload is stored with records of this kind (everything but samples). */
export function keepsRaw(kind: RecordKind): boolean {
  return RECORD_SHAPES[kind] !== "sample";
}
export type RecordBody<K extends RecordKind> = z.infer<(typeof RECORD_BODIES)[K]>;

/** One normalized record, before the sync engine adds the user and source. Times are epoch milliseconds. */
export interface NormalizedRecord<K extends RecordKind = RecordKind> {
  kind: K;
  externalId: string;
  startTime: number;
  endTime: number | null;
  data: RecordBody<K>;
  /** The provider's payload for this record, kept so a future fix to `normalize` can re-derive it. */
  raw: unknown;
}

/** An item of a provider payload that could not be normalized: kept as a count and a reason, never a crash. */
export interface SkippedItem {
  externalId: string | null;
  reason: string;
}

export interface NormalizeResult {
  records: NormalizedRecord[];
  skipped: SkippedItem[];
}

/** Builds a record, validating its body against the contract; an invalid body becomes a skipped item. */
export function makeRecord<K extends RecordKind>(
  kind: K,
  fields: { externalId: string; startTime: number; endTime?: number | null; data: RecordBody<K>; raw: unknown },
): NormalizedRecord<K> | SkippedItem {
  const parsed = RECORD_BODIES[kind].safeParse(fields.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { externalId: fields.externalId, reason: `${kind}: ${issue?.path.join(".") || "body"} ${issue?.message ?? "is invalid"}` };
  }
  if (!Number.isFinite(fields.startTime)) return { externalId: fields.externalId, reason: `${kind}: start time is not a valid time` };
  return {
    kind,
    externalId: fields.externalId,
    startTime: fields.startTime,
    endTime: fields.endTime ?? null,
    data: parsed.data as RecordBody<K>,
    raw: fields.raw,
  };
}

/** Collects `makeRecord` results into a NormalizeResult. */
export function collect(results: Iterable<NormalizedRecord | SkippedItem>, skipped: SkippedItem[] = []): NormalizeResult {
  const records: NormalizedRecord[] = [];
  for (const result of results) {
    if ("kind" in result) records.push(result);
    else skipped.push(result);
  }
  return { records, skipped };
}

/** The whole payload is not what the provider documents (not an item of it): reject it, do not guess. */
export class MalformedPayloadError extends Error {
  override name = "MalformedPayloadError";
}
