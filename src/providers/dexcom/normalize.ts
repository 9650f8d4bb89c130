import { z } from "zod";
import { GlucoseTrend, MalformedPayloadError, makeRecord, type NormalizedRecord, type NormalizeResult, type SkippedItem } from "../../domain/records";
import { GLUCOSE_MGDL_PER_MMOLL, mgdlToMmoll, mmollToMgdl } from "../../domain/units";
import { parseDataRange, parseDexcomTime } from "./api";

/**
 * Pure: Dexcom API v3 bodies → normalized records. Every data body is the v3 envelope
 * `{recordType, recordVersion, userId, records: [...]}`; anything else is rejected whole. A record Dexcom
 * sends but we cannot use (no value, unknown unit, bad time) is a skipped item with the reason.
 */

export const DEXCOM_KINDS = ["egvs", "calibrations", "events", "alerts", "devices", "dataRange"] as const;
export type DexcomKind = (typeof DEXCOM_KINDS)[number];

/** The G6/G7 measuring range: outside it the display shows "Low"/"High" instead of a number. */
export const SENSOR_RANGE_MGDL = { low: 40, high: 400 } as const;

const Envelope = z.object({
  // recordType is not checked: Dexcom's own samples say "calibrations"/"events" where the schema says "calibration"/"event".
  recordType: z.string(),
  recordVersion: z.string().regex(/^3(\.|$)/, "is not a v3 record version"),
  userId: z.string(),
  records: z.array(z.unknown()),
});

const optionalText = z.string().nullish();

const EgvRecord = z.object({
  recordId: z.string().min(1),
  systemTime: z.string(),
  displayTime: optionalText,
  value: z.number().nullish(),
  status: optionalText,
  trend: optionalText,
  trendRate: z.number().nullish(),
  unit: optionalText,
  rateUnit: optionalText,
  transmitterGeneration: optionalText,
});

const CalibrationRecord = z.object({
  recordId: z.string().min(1),
  systemTime: z.string(),
  value: z.number(),
  unit: optionalText,
});

const EventRecord = z.object({
  recordId: z.string().min(1),
  systemTime: z.string(),
  eventStatus: z.enum(["created", "updated", "deleted"]),
  eventType: z.string(),
  eventSubType: optionalText,
  // The v3 schema says string; Dexcom's own sample sends the number 400.
  value: z.union([z.number(), z.string()]).nullish(),
  unit: optionalText,
});

const ALERT_NAMES = ["high", "low", "rise", "fall", "outOfRange", "urgentLow", "urgentLowSoon", "noReadings", "fixedLow", "unknown"] as const;
const ALERT_STATES = ["inactive", "activeSnoozed", "activeAlarming", "unknown"] as const;

const AlertRecord = z.object({
  recordId: z.string().min(1),
  systemTime: z.string(),
  displayTime: optionalText,
  alertName: z.string().min(1),
  alertState: z.string().min(1),
  displayDevice: optionalText,
});

const DeviceRecord = z.object({ lastUploadDate: z.string().refine((text) => parseDexcomTime(text) !== null, "is not a date-time") });

type Item = NormalizedRecord | SkippedItem;

export function normalizeDexcom(kind: DexcomKind, body: unknown): NormalizeResult {
  switch (kind) {
    case "dataRange":
      parseDataRange(body);
      return { records: [], skipped: [] };
    case "egvs":
      return normalizeRecords(kind, body, egvRecord);
    case "calibrations":
      return normalizeRecords(kind, body, calibrationRecord);
    case "events":
      return normalizeRecords(kind, body, eventRecord);
    case "alerts":
      return normalizeRecords(kind, body, alertRecord);
    case "devices":
      // Device settings are not health records; the body is still checked so a broken one is noticed.
      return normalizeRecords(kind, body, deviceRecord);
    default:
      throw new MalformedPayloadError(`dexcom: unknown kind ${JSON.stringify(kind)}`);
  }
}

function normalizeRecords(kind: DexcomKind, body: unknown, toItem: (record: unknown) => Item | null): NormalizeResult {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new MalformedPayloadError(`dexcom ${kind}: ${issue?.path.join(".") || "body"} ${issue?.message ?? "is not the v3 envelope"}`);
  }
  // One record per recordId (the last one wins), so a page never upserts the same row twice.
  const records = new Map<string, NormalizedRecord>();
  const skipped: SkippedItem[] = [];
  for (const record of envelope.data.records) {
    const item = toItem(record);
    if (!item) continue;
    if ("kind" in item) records.set(item.externalId, item);
    else skipped.push(item);
  }
  return { records: [...records.values()], skipped };
}

function recordIdOf(record: unknown): string | null {
  const id = (record as { recordId?: unknown } | null)?.recordId;
  return typeof id === "string" && id.length > 0 ? id : null;
}

function invalid(kind: string, record: unknown, error: z.ZodError): SkippedItem {
  const issue = error.issues[0];
  return { externalId: recordIdOf(record), reason: `dexcom ${kind}: ${issue?.path.join(".") || "record"} ${issue?.message ?? "is invalid"}` };
}

function systemTimeOf(kind: string, recordId: string, systemTime: string): number | SkippedItem {
  return parseDexcomTime(systemTime) ?? { externalId: recordId, reason: `dexcom ${kind}: systemTime ${JSON.stringify(systemTime)} is not a date-time` };
}

const isoOf = (epochMs: number) => new Date(epochMs).toISOString();
const round2 = (n: number) => Math.round(n * 100) / 100;

interface Glucose {
  mgdl: number;
  mmoll: number;
  status?: "ok" | "high" | "low" | "unknown";
}

/** A reading's value in both units, or why it has none. High/Low become the range limit with that status. */
function glucoseOf(record: z.infer<typeof EgvRecord>): Glucose | string {
  const pinned = (status: "high" | "low"): Glucose => {
    const mgdl = SENSOR_RANGE_MGDL[status];
    return { mgdl, mmoll: mgdlToMmoll(mgdl), status };
  };
  // Dexcom reports an out-of-range reading as status high/low, with a null value or the limit itself.
  if (record.status === "high" || record.status === "low") return pinned(record.status);
  if (record.value === null || record.value === undefined) return "no value";
  let mgdl: number;
  let mmoll: number;
  if (record.unit === "mg/dL") {
    mgdl = record.value;
    mmoll = mgdlToMmoll(record.value);
  } else if (record.unit === "mmol/L") {
    mgdl = mmollToMgdl(record.value);
    mmoll = record.value;
  } else {
    return `unit ${JSON.stringify(record.unit ?? null)} is neither mg/dL nor mmol/L`;
  }
  if (!(mgdl > 0)) return `value ${record.value} is not a glucose reading`;
  if (mgdl > SENSOR_RANGE_MGDL.high) return pinned("high");
  if (mgdl < SENSOR_RANGE_MGDL.low) return pinned("low");
  const status = record.status === "ok" || record.status === "unknown" ? record.status : record.status ? "unknown" : undefined;
  return { mgdl, mmoll, ...(status ? { status } : {}) };
}

function trendRateOf(record: z.infer<typeof EgvRecord>): number | undefined {
  if (record.trendRate === null || record.trendRate === undefined) return undefined;
  if (record.rateUnit === "mg/dL/min") return round2(record.trendRate);
  if (record.rateUnit === "mmol/L/min") return round2(record.trendRate * GLUCOSE_MGDL_PER_MMOLL);
  return undefined;
}

function egvRecord(raw: unknown): Item {
  const parsed = EgvRecord.safeParse(raw);
  if (!parsed.success) return invalid("egvs", raw, parsed.error);
  const record = parsed.data;
  const startTime = systemTimeOf("egvs", record.recordId, record.systemTime);
  if (typeof startTime !== "number") return startTime;
  const glucose = glucoseOf(record);
  if (typeof glucose === "string") return { externalId: record.recordId, reason: `dexcom egvs: ${glucose}` };
  const trend = GlucoseTrend.safeParse(record.trend);
  const trendRate = trendRateOf(record);
  const device = record.transmitterGeneration && record.transmitterGeneration !== "unknown" ? record.transmitterGeneration : undefined;
  return makeRecord("glucose_reading", {
    externalId: record.recordId,
    startTime,
    raw,
    data: {
      effective_time_frame: { date_time: isoOf(startTime) },
      blood_glucose: { value: glucose.mgdl, unit: "mg/dL" },
      blood_glucose_molar: { value: glucose.mmoll, unit: "mmol/L" },
      specimen_source: "interstitial fluid",
      trend: trend.success ? trend.data : "unknown",
      ...(trendRate !== undefined ? { trend_rate: { value: trendRate, unit: "mg/dL/min" as const } } : {}),
      ...(glucose.status ? { status: glucose.status } : {}),
      // Kept as Dexcom sent it: receiver-sourced records carry no offset, so it cannot be made an instant.
      ...(record.displayTime ? { display_time: record.displayTime } : {}),
      ...(device ? { device } : {}),
    },
  });
}

function calibrationRecord(raw: unknown): Item {
  const parsed = CalibrationRecord.safeParse(raw);
  if (!parsed.success) return invalid("calibrations", raw, parsed.error);
  const record = parsed.data;
  const startTime = systemTimeOf("calibrations", record.recordId, record.systemTime);
  if (typeof startTime !== "number") return startTime;
  const units =
    record.unit === "mg/dL"
      ? { mgdl: record.value, mmoll: mgdlToMmoll(record.value) }
      : record.unit === "mmol/L"
        ? { mgdl: mmollToMgdl(record.value), mmoll: record.value }
        : null;
  if (!units) return { externalId: record.recordId, reason: `dexcom calibrations: unit ${JSON.stringify(record.unit ?? null)} is neither mg/dL nor mmol/L` };
  if (!(units.mgdl > 0)) return { externalId: record.recordId, reason: `dexcom calibrations: value ${record.value} is not a glucose reading` };
  return makeRecord("glucose_calibration", {
    externalId: record.recordId,
    startTime,
    raw,
    data: {
      effective_time_frame: { date_time: isoOf(startTime) },
      blood_glucose: { value: units.mgdl, unit: "mg/dL" },
      blood_glucose_molar: { value: units.mmoll, unit: "mmol/L" },
      specimen_source: "capillary blood",
    },
  });
}

const EVENT_TYPES = ["carbs", "insulin", "exercise", "health", "bloodGlucose", "notes", "unknown"] as const;
/** Event types whose value is the point of the entry (grams, units, minutes, mg/dL). */
const QUANTITY_EVENTS = new Set(["carbs", "insulin", "exercise", "bloodGlucose"]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function numericValue(value: number | string | null | undefined): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && NUMBER.test(value.trim())) return Number(value.trim());
  return null;
}

function eventRecord(raw: unknown): Item {
  const parsed = EventRecord.safeParse(raw);
  if (!parsed.success) return invalid("events", raw, parsed.error);
  const record = parsed.data;
  const startTime = systemTimeOf("events", record.recordId, record.systemTime);
  if (typeof startTime !== "number") return startTime;
  const eventType = (EVENT_TYPES as readonly string[]).includes(record.eventType) ? (record.eventType as (typeof EVENT_TYPES)[number]) : "unknown";
  const value = numericValue(record.value);
  // A deleted event is kept (status "deleted") so the stored copy can be removed, whatever its value.
  if (record.eventStatus !== "deleted" && QUANTITY_EVENTS.has(eventType)) {
    if (value === null) return { externalId: record.recordId, reason: `dexcom events: ${eventType} event has no numeric value` };
    if (value < 0) return { externalId: record.recordId, reason: `dexcom events: ${eventType} value ${value} is negative` };
  }
  const unit = record.unit && record.unit !== "unknown" ? record.unit : undefined;
  return makeRecord("cgm_event", {
    externalId: record.recordId,
    startTime,
    raw,
    data: {
      effective_time_frame: { date_time: isoOf(startTime) },
      event_type: eventType,
      ...(record.eventSubType ? { event_subtype: record.eventSubType } : {}),
      ...(value !== null ? { value } : {}),
      ...(unit ? { unit } : {}),
      status: record.eventStatus,
    },
  });
}

/** An alert name or state Dexcom adds later is kept as "unknown" (with the raw record), not dropped. */
function known<T extends string>(values: readonly T[], value: string): T | "unknown" {
  return (values as readonly string[]).includes(value) ? (value as T) : "unknown";
}

function alertRecord(raw: unknown): Item {
  const parsed = AlertRecord.safeParse(raw);
  if (!parsed.success) return invalid("alerts", raw, parsed.error);
  const record = parsed.data;
  const startTime = systemTimeOf("alerts", record.recordId, record.systemTime);
  if (typeof startTime !== "number") return startTime;
  return makeRecord("glucose_alert", {
    externalId: record.recordId,
    startTime,
    raw,
    data: {
      effective_time_frame: { date_time: isoOf(startTime) },
      alert_name: known(ALERT_NAMES, record.alertName),
      alert_state: known(ALERT_STATES, record.alertState),
      ...(record.displayTime ? { display_time: record.displayTime } : {}),
      ...(record.displayDevice ? { device: record.displayDevice } : {}),
    },
  });
}

function deviceRecord(raw: unknown): Item | null {
  const parsed = DeviceRecord.safeParse(raw);
  return parsed.success ? null : invalid("devices", raw, parsed.error);
}
