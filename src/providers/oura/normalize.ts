import { z } from "zod";
import { collect, MalformedPayloadError, makeRecord, type NormalizedRecord, type NormalizeResult, type SkippedItem } from "../../domain/records";

/** The Oura collections we pull, in pull order (heart rate last: it is the one with many pages). */
export const OURA_KINDS = ["daily_sleep", "sleep", "daily_readiness", "daily_activity", "heartrate"] as const;
export type OuraKind = (typeof OURA_KINDS)[number];

/** Every collection answers `{"data": [...], "next_token": string | null}` (heart rate may leave next_token out). */
const Envelope = z.object({ data: z.array(z.unknown()), next_token: z.string().nullable().optional() });

const IsoDateTime = z.iso.datetime({ offset: true });
const IsoDate = z.iso.date();

type Item = Record<string, unknown>;
type Result = NormalizedRecord | SkippedItem;

/** Thrown inside one item's mapping: the item becomes a SkippedItem with this reason, the rest of the page goes on. */
class SkipItem extends Error {}

function skip(reason: string): never {
  throw new SkipItem(reason);
}

function isItem(value: unknown): value is Item {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requiredId(kind: string, item: Item): string {
  const id = item.id;
  return typeof id === "string" && id.length > 0 ? id : skip(`${kind}: id is missing`);
}

function requiredDay(kind: string, item: Item): string {
  const day = item.day;
  return typeof day === "string" && IsoDate.safeParse(day).success ? day : skip(`${kind}: day is not a YYYY-MM-DD date`);
}

/** An ISO 8601 date-time with an offset, as epoch ms; anything else (Oura's doc placeholder "string" included) is skipped. */
function requiredInstant(kind: string, item: Item, field: string): { text: string; ms: number } {
  const text = item[field];
  if (typeof text !== "string" || !IsoDateTime.safeParse(text).success) skip(`${kind}: ${field} is not a date-time with an offset`);
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? { text, ms } : skip(`${kind}: ${field} is not a date-time with an offset`);
}

/** A field Oura marks nullable: absent or null is "not measured"; present with the wrong type is an invalid item. */
function optionalNumber(kind: string, item: Item, field: string): number | undefined {
  const value = item[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === "number" && Number.isFinite(value) ? value : skip(`${kind}: ${field} is not a number`);
}

function requiredNumber(kind: string, item: Item, field: string, missing = `${field} is missing`): number {
  return optionalNumber(kind, item, field) ?? skip(`${kind}: ${missing}`);
}

/** Score contributors as published; nulls (not enough data for that contributor) are left out rather than zeroed. */
function contributors(value: unknown): Record<string, number> | undefined {
  if (!isItem(value)) return undefined;
  const present = Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]));
  return present.length > 0 ? Object.fromEntries(present) : undefined;
}

const seconds = (value: number) => ({ value, unit: "s" as const });
const withUnit =
  <U extends string>(unit: U) =>
  (value: number | undefined) =>
    value === undefined ? undefined : { value, unit };
const optionalSeconds = withUnit("s");
const optionalBpm = withUnit("beats/min");
const optionalKcal = withUnit("kcal");

function dailySleep(item: Item): Result[] {
  const id = requiredId("daily_sleep", item);
  const date = requiredDay("daily_sleep", item);
  const { ms } = requiredInstant("daily_sleep", item, "timestamp");
  const score = requiredNumber("daily_sleep", item, "score", "score is missing (Oura has not scored this day)");
  return [makeRecord("daily_sleep", { externalId: id, startTime: ms, data: { date, score, contributors: contributors(item.contributors) }, raw: item })];
}

/** Oura's sleep `type`: "deleted" was removed by the person and "rest" was rejected by them as not sleep. */
const NOT_SLEEP = new Set(["deleted", "rest"]);

function sleepPeriod(item: Item): Result[] {
  const id = requiredId("sleep", item);
  if (typeof item.type === "string" && NOT_SLEEP.has(item.type)) skip(`sleep: type is "${item.type}", not a sleep the person kept`);
  const start = requiredInstant("sleep", item, "bedtime_start");
  const end = requiredInstant("sleep", item, "bedtime_end");
  if (end.ms < start.ms) skip("sleep: bedtime_end is before bedtime_start");
  const interval = { start_date_time: start.text, end_date_time: end.text };

  const averageHrv = optionalNumber("sleep", item, "average_hrv");
  const averageBreath = optionalNumber("sleep", item, "average_breath");
  const efficiency = optionalNumber("sleep", item, "efficiency");
  const deep = optionalNumber("sleep", item, "deep_sleep_duration");
  const light = optionalNumber("sleep", item, "light_sleep_duration");
  const rem = optionalNumber("sleep", item, "rem_sleep_duration");
  const awake = optionalNumber("sleep", item, "awake_time");
  const stagesMeasured = [deep, light, rem, awake].some((stage) => stage !== undefined);
  // The published sleep model carries no sleep score of its own (that is daily_sleep); take one if Oura adds it.
  const score = optionalNumber("sleep", item, "score");
  const total = optionalNumber("sleep", item, "total_sleep_duration");

  const session: Result =
    total === undefined
      ? { externalId: id, reason: "sleep: total_sleep_duration is missing" }
      : makeRecord("sleep_session", {
          externalId: id,
          startTime: start.ms,
          endTime: end.ms,
          data: {
            effective_time_frame: { time_interval: interval },
            total_sleep_time: seconds(total),
            time_in_bed: optionalSeconds(optionalNumber("sleep", item, "time_in_bed")),
            sleep_stages: stagesMeasured
              ? { deep: optionalSeconds(deep), light: optionalSeconds(light), rem: optionalSeconds(rem), awake: optionalSeconds(awake) }
              : undefined,
            latency_to_sleep_onset: optionalSeconds(optionalNumber("sleep", item, "latency")),
            sleep_maintenance_efficiency_percentage: efficiency === undefined ? undefined : { value: efficiency, unit: "%" },
            is_main_sleep: typeof item.type === "string" ? item.type === "long_sleep" : undefined,
            heart_rate_average: optionalBpm(optionalNumber("sleep", item, "average_heart_rate")),
            heart_rate_lowest: optionalBpm(optionalNumber("sleep", item, "lowest_heart_rate")),
            hrv_rmssd_average: averageHrv === undefined ? undefined : { value: averageHrv, unit: "ms" },
            respiratory_rate: averageBreath === undefined ? undefined : { value: averageBreath, unit: "breaths/min" },
            score,
          },
          raw: item,
        });
  if (averageHrv === undefined) return [session];
  // Oura's average_hrv is the night's mean RMSSD in ms; it is an HRV measurement in its own right, over the sleep.
  const hrv = makeRecord("hrv", {
    externalId: id,
    startTime: start.ms,
    endTime: end.ms,
    data: { effective_time_frame: { time_interval: interval }, rmssd: { value: averageHrv, unit: "ms" } },
    raw: { id, day: item.day, type: item.type, bedtime_start: start.text, bedtime_end: end.text, average_hrv: averageHrv },
  });
  return [session, hrv];
}

function dailyReadiness(item: Item): Result[] {
  const id = requiredId("daily_readiness", item);
  const date = requiredDay("daily_readiness", item);
  const { ms } = requiredInstant("daily_readiness", item, "timestamp");
  const score = requiredNumber("daily_readiness", item, "score", "score is missing (Oura has not scored this day)");
  const temperatureDeviation = optionalNumber("daily_readiness", item, "temperature_deviation");
  return [
    makeRecord("readiness", {
      externalId: id,
      startTime: ms,
      data: {
        date,
        score,
        contributors: contributors(item.contributors),
        skin_temperature_deviation: temperatureDeviation === undefined ? undefined : { value: temperatureDeviation, unit: "Cel" },
      },
      raw: item,
    }),
  ];
}

function dailyActivity(item: Item): Result[] {
  const id = requiredId("daily_activity", item);
  const date = requiredDay("daily_activity", item);
  const { ms } = requiredInstant("daily_activity", item, "timestamp");
  const steps = requiredNumber("daily_activity", item, "steps");
  const high = optionalNumber("daily_activity", item, "high_activity_time");
  const medium = optionalNumber("daily_activity", item, "medium_activity_time");
  // Oura publishes no measured distance, only the distance "equivalent" of the day's energy expenditure, in metres:
  // kept under its own name, never as `distance`, which means metres actually covered.
  const equivalent = optionalNumber("daily_activity", item, "equivalent_walking_distance");
  return [
    makeRecord("daily_activity", {
      externalId: id,
      startTime: ms,
      data: {
        date,
        step_count: { value: steps, unit: "steps" },
        active_energy_burned: optionalKcal(optionalNumber("daily_activity", item, "active_calories")),
        total_energy_burned: optionalKcal(optionalNumber("daily_activity", item, "total_calories")),
        active_minutes: high === undefined || medium === undefined ? undefined : { value: (high + medium) / 60, unit: "min" },
        equivalent_walking_distance: equivalent === undefined ? undefined : { value: equivalent, unit: "m" },
        score: optionalNumber("daily_activity", item, "score"),
      },
      raw: item,
    }),
  ];
}

function heartRateSample(item: Item): Result[] {
  const at = requiredInstant("heartrate", item, "timestamp");
  const externalId = heartRateId(at.ms, item);
  const bpm = optionalNumber("heartrate", item, "bpm");
  if (bpm === undefined || bpm <= 0) return [{ externalId, reason: "heartrate: bpm is missing or not positive" }];
  return [
    makeRecord("heart_rate", {
      externalId,
      startTime: at.ms,
      data: {
        effective_time_frame: { date_time: at.text },
        heart_rate: { value: bpm, unit: "beats/min" },
        context: typeof item.source === "string" && item.source.length > 0 ? item.source : undefined,
      },
      raw: item,
    }),
  ];
}

const MAPPERS: Record<OuraKind, (item: Item) => Result[]> = {
  daily_sleep: dailySleep,
  sleep: sleepPeriod,
  daily_readiness: dailyReadiness,
  daily_activity: dailyActivity,
  heartrate: heartRateSample,
};

/**
 * Samples have no id. The instant alone is not unique: Oura returns two rows for the same second from different
 * `source`s (e.g. `awake` and `workout`), and keying by time let one overwrite the other. The identity is the
 * instant (canonical UTC, so a re-sent sample in another format matches) and the source.
 */
function heartRateId(ms: number, item: Item): string {
  const instant = new Date(ms).toISOString();
  return typeof item.source === "string" && item.source.length > 0 ? `${instant}|${item.source}` : instant;
}

/** The id to report a skipped item under: the document id, or for heart-rate samples the timestamp as sent. */
function externalIdOf(kind: OuraKind, item: Item): string | null {
  const id = kind === "heartrate" ? item.timestamp : item.id;
  return typeof id === "string" && id.length > 0 ? id : null;
}

/** Pure: one page of an Oura v2 collection → normalized records and the items it could not use. */
export function normalizeOura(kind: OuraKind, body: unknown): NormalizeResult {
  const map = MAPPERS[kind];
  if (!map) throw new MalformedPayloadError(`oura: unknown collection "${String(kind)}"`);
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) throw new MalformedPayloadError(`oura ${kind}: expected {"data": [...], "next_token": string | null}`);
  const results: Result[] = [];
  for (const item of envelope.data.data) {
    if (!isItem(item)) {
      results.push({ externalId: null, reason: `${kind}: item is not an object` });
      continue;
    }
    try {
      results.push(...map(item));
    } catch (error) {
      if (!(error instanceof SkipItem)) throw error;
      results.push({ externalId: externalIdOf(kind, item), reason: error.message });
    }
  }
  return collect(results);
}
