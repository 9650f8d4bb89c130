import { z } from "zod";
import { collect, MalformedPayloadError, makeRecord, type NormalizedRecord, type NormalizeResult, type SkippedItem } from "../../domain/records";
import { mgdlToMmoll, mmollToMgdl } from "../../domain/units";

/**
 * Junction's summaries and timeseries → normalized records. Field names follow Junction's client-facing models
 * (tryVital/vital-node `ClientFacingSleep`, `ClientFacingActivity`, `ClientFacingWorkout`, `ClientFacingBody`) and
 * its event structure (https://docs.junction.com/webhooks/event-structure). The same function reads a webhook's
 * `data` (one summary, or `{data: [samples]}` for a timeseries batch) and the REST API's answers (`{sleep: [...]}`,
 * or a bare array of samples). Pure: no I/O, no clock.
 */

export const JUNCTION_KINDS = ["sleep", "activity", "workouts", "body", "heartrate", "hrv", "glucose"] as const;
export type JunctionKind = (typeof JUNCTION_KINDS)[number];

export const SUMMARY_KINDS = ["sleep", "activity", "workouts", "body"] as const satisfies readonly JunctionKind[];

export const isJunctionKind = (value: string): value is JunctionKind => (JUNCTION_KINDS as readonly string[]).includes(value);

/** Junction's webhook resource names where they differ from its REST paths (`daily.data.workouts.created`). */
export function kindForResource(resource: string): JunctionKind | null {
  if (resource === "workout") return "workouts";
  return isJunctionKind(resource) ? resource : null;
}

const DateTime = z.iso.datetime({ offset: true });
const CalendarDate = z.iso.date();
const num = z.number().finite();

const Sleep = z.object({
  id: z.string().min(1),
  bedtime_start: DateTime,
  bedtime_stop: DateTime,
  duration: num.nonnegative().nullish(),
  total: num.nonnegative(),
  awake: num.nonnegative().nullish(),
  light: num.nonnegative().nullish(),
  rem: num.nonnegative().nullish(),
  deep: num.nonnegative().nullish(),
  score: num.nullish(),
  hr_lowest: num.positive().nullish(),
  hr_average: num.positive().nullish(),
  efficiency: num.nullish(),
  latency: num.nonnegative().nullish(),
  average_hrv: num.positive().nullish(),
  respiratory_rate: num.positive().nullish(),
});

const Activity = z.object({
  id: z.string().min(1),
  calendar_date: CalendarDate,
  steps: num.nonnegative().nullish(),
  calories_active: num.nonnegative().nullish(),
  calories_total: num.nonnegative().nullish(),
  distance: num.nonnegative().nullish(),
});

const Workout = z.object({
  id: z.string().min(1),
  title: z.string().nullish(),
  time_start: DateTime,
  time_end: DateTime,
  calories: num.nonnegative().nullish(),
  distance: num.nonnegative().nullish(),
  average_hr: num.positive().nullish(),
  max_hr: num.positive().nullish(),
  sport: z.object({ name: z.string().min(1) }).nullish(),
});

const Body = z.object({
  id: z.string().min(1),
  date: DateTime,
  weight: num.positive().nullish(),
});

const Sample = z.object({
  timestamp: DateTime,
  value: num,
  unit: z.string().nullish(),
  type: z.string().nullish(),
});

/** The list of items a body holds, whichever of Junction's envelopes it came in. */
function itemsOf(kind: JunctionKind, body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body === null || typeof body !== "object") throw new MalformedPayloadError(`Junction ${kind}: body is not an object or a list`);
  const record = body as Record<string, unknown>;
  // REST summaries: `{sleep: [...]}`, `{activity: [...]}`, `{workouts: [...]}`, `{body: [...]}`.
  if (Array.isArray(record[kind])) return record[kind] as unknown[];
  // A webhook's timeseries batch: samples at `$.data.data`.
  if (Array.isArray(record.data)) return record.data as unknown[];
  // A webhook's summary: the object itself.
  if (typeof record.id === "string") return [record];
  throw new MalformedPayloadError(`Junction ${kind}: no ${kind} found in the body`);
}

const ms = (iso: string) => Date.parse(iso);
const iso = (value: string) => new Date(ms(value)).toISOString();
const seconds = (value: number | null | undefined) => (value == null ? undefined : { value, unit: "s" as const });
const bpm = (value: number | null | undefined) => (value == null ? undefined : { value, unit: "beats/min" as const });

function sleepRecord(item: z.infer<typeof Sleep>, raw: unknown) {
  const stages = { deep: seconds(item.deep), light: seconds(item.light), rem: seconds(item.rem), awake: seconds(item.awake) };
  const hasStages = Object.values(stages).some((stage) => stage !== undefined);
  return makeRecord("sleep_session", {
    externalId: item.id,
    startTime: ms(item.bedtime_start),
    endTime: ms(item.bedtime_stop),
    data: {
      effective_time_frame: { time_interval: { start_date_time: iso(item.bedtime_start), end_date_time: iso(item.bedtime_stop) } },
      total_sleep_time: { value: item.total, unit: "s" },
      time_in_bed: seconds(item.duration),
      sleep_stages: hasStages ? stages : undefined,
      latency_to_sleep_onset: seconds(item.latency),
      sleep_maintenance_efficiency_percentage: item.efficiency == null ? undefined : { value: item.efficiency, unit: "%" },
      heart_rate_average: bpm(item.hr_average),
      heart_rate_lowest: bpm(item.hr_lowest),
      hrv_rmssd_average: item.average_hrv == null ? undefined : { value: item.average_hrv, unit: "ms" },
      respiratory_rate: item.respiratory_rate == null ? undefined : { value: item.respiratory_rate, unit: "breaths/min" },
      // Junction documents its score as 1–100 and only for some wearables; anything else is left out.
      score: item.score != null && item.score >= 0 && item.score <= 100 ? item.score : undefined,
    },
    raw,
  });
}

function activityRecord(item: z.infer<typeof Activity>, raw: unknown): NormalizedRecord | SkippedItem {
  if (item.steps == null) return { externalId: item.id, reason: "activity: no step count" };
  return makeRecord("daily_activity", {
    externalId: item.id,
    startTime: Date.parse(`${item.calendar_date}T00:00:00Z`),
    data: {
      date: item.calendar_date,
      step_count: { value: item.steps, unit: "steps" },
      active_energy_burned: item.calories_active == null ? undefined : { value: item.calories_active, unit: "kcal" },
      total_energy_burned: item.calories_total == null ? undefined : { value: item.calories_total, unit: "kcal" },
      distance: item.distance == null ? undefined : { value: item.distance, unit: "m" },
    },
    raw,
  });
}

function workoutRecord(item: z.infer<typeof Workout>, raw: unknown) {
  return makeRecord("workout", {
    externalId: item.id,
    startTime: ms(item.time_start),
    endTime: ms(item.time_end),
    data: {
      effective_time_frame: { time_interval: { start_date_time: iso(item.time_start), end_date_time: iso(item.time_end) } },
      activity_name: item.sport?.name ?? (item.title || "Workout"),
      kcal_burned: item.calories == null ? undefined : { value: item.calories, unit: "kcal" },
      distance: item.distance == null ? undefined : { value: item.distance, unit: "m" },
      heart_rate_average: bpm(item.average_hr),
      heart_rate_max: bpm(item.max_hr),
    },
    raw,
  });
}

function bodyRecord(item: z.infer<typeof Body>, raw: unknown): NormalizedRecord | SkippedItem {
  if (item.weight == null) return { externalId: item.id, reason: "body: no weight" };
  return makeRecord("body_weight", {
    externalId: item.id,
    startTime: ms(item.date),
    data: { effective_time_frame: { date_time: iso(item.date) }, body_weight: { value: item.weight, unit: "kg" } },
    raw,
  });
}

// Timeseries samples have no id of their own: Junction keys them by resource, provider, source type and timestamp
// (event-structure page), and one source is one of our cards, so the instant is the record's key.
function sampleRecord(kind: "heartrate" | "hrv" | "glucose", item: z.infer<typeof Sample>): NormalizedRecord | SkippedItem {
  const at = iso(item.timestamp);
  const frame = { date_time: at };
  if (kind === "heartrate") {
    return makeRecord("heart_rate", {
      externalId: at,
      startTime: ms(at),
      data: { effective_time_frame: frame, heart_rate: { value: item.value, unit: "beats/min" } },
      raw: item,
    });
  }
  if (kind === "hrv") {
    // HealthKit measures SDNN, Health Connect and most wearables RMSSD; Junction says which in the sample's unit.
    const measure = item.unit === "sdnn" ? { sdnn: { value: item.value, unit: "ms" as const } } : { rmssd: { value: item.value, unit: "ms" as const } };
    return makeRecord("hrv", { externalId: at, startTime: ms(at), data: { effective_time_frame: frame, ...measure }, raw: item });
  }
  let mgdl: number;
  if (item.unit === "mg/dL") mgdl = item.value;
  else if (item.unit === "mmol/L") mgdl = mmollToMgdl(item.value);
  else return { externalId: at, reason: `glucose: unit ${JSON.stringify(item.unit ?? null)} is neither mg/dL nor mmol/L` };
  return makeRecord("glucose_reading", {
    externalId: at,
    startTime: ms(at),
    data: {
      effective_time_frame: frame,
      blood_glucose: { value: mgdl, unit: "mg/dL" },
      blood_glucose_molar: { value: item.unit === "mmol/L" ? item.value : mgdlToMmoll(mgdl), unit: "mmol/L" },
      specimen_source: "interstitial fluid",
      // Junction's glucose samples carry no trend arrow.
      trend: "unknown",
    },
    raw: item,
  });
}

/** Pure: one Junction body of `kind` → normalized records, and items it could not use (with reasons). */
export function normalizeJunction(kind: string, body: unknown): NormalizeResult {
  if (!isJunctionKind(kind)) throw new MalformedPayloadError(`Junction: unknown kind ${JSON.stringify(kind)}`);
  const skipped: SkippedItem[] = [];
  const results: (NormalizedRecord | SkippedItem)[] = [];
  for (const item of itemsOf(kind, body)) {
    const parsed = parseItem(kind, item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const id = (item as { id?: unknown } | null)?.id;
      skipped.push({ externalId: typeof id === "string" ? id : null, reason: `${kind}: ${issue?.path.join(".") || "item"} ${issue?.message ?? "is invalid"}` });
      continue;
    }
    results.push(toRecord(kind, parsed.data, item));
  }
  return collect(results, skipped);
}

type Parsed =
  | { kind: "sleep"; item: z.infer<typeof Sleep> }
  | { kind: "activity"; item: z.infer<typeof Activity> }
  | { kind: "workouts"; item: z.infer<typeof Workout> }
  | { kind: "body"; item: z.infer<typeof Body> }
  | { kind: "heartrate" | "hrv" | "glucose"; item: z.infer<typeof Sample> };

function parseItem(kind: JunctionKind, item: unknown): { success: true; data: Parsed } | { success: false; error: z.ZodError } {
  const schema = { sleep: Sleep, activity: Activity, workouts: Workout, body: Body, heartrate: Sample, hrv: Sample, glucose: Sample }[kind];
  const parsed = schema.safeParse(item);
  return parsed.success ? { success: true, data: { kind, item: parsed.data } as Parsed } : { success: false, error: parsed.error };
}

function toRecord(_kind: JunctionKind, parsed: Parsed, raw: unknown): NormalizedRecord | SkippedItem {
  switch (parsed.kind) {
    case "sleep":
      return sleepRecord(parsed.item, raw);
    case "activity":
      return activityRecord(parsed.item, raw);
    case "workouts":
      return workoutRecord(parsed.item, raw);
    case "body":
      return bodyRecord(parsed.item, raw);
    default:
      return sampleRecord(parsed.kind, parsed.item);
  }
}
