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
  /** Metres actually covered. */
  distance: Meters.optional(),
  /** Oura's walking distance equivalent to the day's energy expenditure: not a measured distance. */
  equivalent_walking_distance: Meters.optional(),
  score: Score.optional(),
  /** The day's lowest, average and highest heart rate, where the provider summarizes them (Garmin dailies). */
  heart_rate_min: BeatsPerMinute.optional(),
  heart_rate_average: BeatsPerMinute.optional(),
  heart_rate_max: BeatsPerMinute.optional(),
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

/**
 * A CGM alert as the person's display device raised it (Dexcom v3 /alerts): which alert and the state it was in at
 * that moment. One alert usually gives several records (alarming, snoozed, inactive), each with its own id.
 */
export const GlucoseAlert = z.object({
  effective_time_frame: z.object({ date_time: isoDateTime }),
  alert_name: z.enum(["high", "low", "rise", "fall", "outOfRange", "urgentLow", "urgentLowSoon", "noReadings", "fixedLow", "unknown"]),
  alert_state: z.enum(["inactive", "activeSnoozed", "activeAlarming", "unknown"]),
  display_time: z.string().optional(),
  device: z.string().optional(),
});

/** A coded concept as FHIR carries it: the system's URI, its code and the display text the server sent. */
export const Coding = z.object({ system: z.string().optional(), code: z.string().min(1), display: z.string().optional() });

/** A FHIR dateTime or date as the server sent it ("2024-03-05", "2024-03-05T08:30:00-05:00"). */
const FhirDateTime = z.string().regex(/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/);

/** A quantity in the unit the lab reported (UCUM code where the server gave one, else its unit text). */
const LabQuantity = z.object({ value: z.number().finite(), unit: z.string().optional(), comparator: z.enum(["<", "<=", ">=", ">"]).optional() });

/**
 * A lab result from a health system (FHIR Observation, category laboratory). An amended or corrected result is
 * the same resource with a new version, so it keeps its external id and replaces the earlier one.
 */
export const LabResult = z.object({
  /** The LOINC code when the result has one; otherwise the first coding the server sent. */
  code: Coding.optional(),
  name: z.string().min(1),
  value: LabQuantity.optional(),
  value_text: z.string().optional(),
  reference_range: z.object({ low: LabQuantity.optional(), high: LabQuantity.optional(), text: z.string().optional() }).optional(),
  /** The lab's flag, from Observation.interpretation (HL7 v3 ObservationInterpretation codes). */
  flag: z.enum(["normal", "high", "low", "abnormal", "critical_high", "critical_low", "critical"]).optional(),
  effective: FhirDateTime,
  issued: z.string().optional(),
  status: z.enum(["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"]),
});

/** A condition on the person's problem list, an encounter diagnosis or a health concern (FHIR Condition). */
export const ClinicalCondition = z.object({
  /** SNOMED CT when the server sent it, else ICD-10-CM, else the first coding. */
  code: Coding.optional(),
  codings: z.array(Coding),
  name: z.string().min(1),
  categories: z.array(z.string()),
  clinical_status: z.string().optional(),
  verification_status: z.string().optional(),
  onset: z.string().optional(),
  abatement: z.string().optional(),
  recorded: FhirDateTime.optional(),
});

/** A prescription or medication order (FHIR MedicationRequest), its medication resolved. */
export const MedicationOrder = z.object({
  /** RxNorm when the server sent it, else the first coding. */
  code: Coding.optional(),
  name: z.string().min(1),
  status: z.enum(["active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"]),
  intent: z.string().min(1),
  dosage_text: z.string().optional(),
  authored_on: FhirDateTime.optional(),
  requester: z.string().optional(),
});
/** Which extraction layer produced a value (src/receipts/extract.ts) and how sure it was, 0–1. */
const Provenance = z.object({ layer: z.enum(["schema_org", "ai", "rules"]), confidence: z.number().min(0).max(1) });

/**
 * A purchase receipt found in the person's email (Gmail): the parsed receipt only, never the message body, with
 * the message id and a SHA-256 of the raw message (so a re-read can tell the message changed). `total` is what was
 * charged, or for a refund what was refunded.
 */
export const Receipt = z.object({
  message_id: z.string().min(1),
  message_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  kind: z.enum(["order", "refund"]),
  merchant: z.string().nullable(),
  order_id: z.string().nullable(),
  order_date: isoDate.nullable(),
  currency: z.enum(["USD", "EUR", "GBP"]).nullable(),
  total: z.number().finite().nullable(),
  item_count: z.number().int().min(0),
  /** Per field: the layer that produced it and its confidence. */
  fields: z.record(z.string(), Provenance),
  /** Why the receipt needs a look (an AI answer that failed validation, a low-confidence detection...). */
  review: z.array(z.string()),
  /** The AI prompt/schema version and model, when the AI layer ran. */
  ai_version: z.string().nullable(),
});

/**
 * One purchased line of a receipt, matched to the catalog (src/catalog). `status`: `matched` at or above the
 * match threshold, `review` below it (or unmatched food and supplements), `other` for lines that are neither;
 * `confirmed`, `corrected` and `rejected` are the person's decisions.
 */
export const Purchase = z.object({
  message_id: z.string().min(1),
  merchant: z.string().nullable(),
  order_date: isoDate.nullable(),
  refund: z.boolean(),
  name: z.string().min(1),
  quantity: z.number().positive(),
  line_total: z.number().finite().nullable(),
  currency: z.enum(["USD", "EUR", "GBP"]).nullable(),
  size: z.string().nullable(),
  category: z.enum(["food", "supplement", "other"]),
  extraction: Provenance,
  catalog_item_id: z.string().nullable(),
  catalog_name: z.string().nullable(),
  match_confidence: z.number().min(0).max(1).nullable(),
  status: z.enum(["matched", "review", "other", "confirmed", "corrected", "rejected"]),
});

/** A person's correction, kept as an alias: later purchases with this normalized name match this entry. */
export const PurchaseAlias = z.object({ alias: z.string().min(1), catalog_item_id: z.string().min(1) });

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
  glucose_alert: GlucoseAlert,
  lab_result: LabResult,
  condition: ClinicalCondition,
  medication: MedicationOrder,
  receipt: Receipt,
  purchase: Purchase,
  purchase_alias: PurchaseAlias,
} as const;

export type RecordKind = keyof typeof RECORD_BODIES;
export const RecordKind = z.enum(Object.keys(RECORD_BODIES) as [RecordKind, ...RecordKind[]]);

/**
 * What a kind of record is, which decides how it is stored. A `sample` is one value of a dense series (a heart
 * rate every few minutes, a CGM reading every five): its body holds everything the provider said about it, so
 * its `raw` is not kept (it would roughly double the bytes per person-day, docs/capacity.md). Summaries,
 * sessions, measurements and events keep `raw`: a future fix to `normalize` can re-derive them from it.
 */
type RecordShape = "sample" | "summary" | "session" | "measurement" | "event" | "clinical";

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
  glucose_alert: "event",
  // Clinical records keep the FHIR resource itself as their raw.
  lab_result: "clinical",
  condition: "clinical",
  medication: "clinical",
  // Built from a message we do not keep: there is no provider payload to re-derive from.
  receipt: "sample",
  purchase: "sample",
  purchase_alias: "sample",
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
