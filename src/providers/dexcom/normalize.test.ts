import { describe, expect, it } from "vitest";
import { MalformedPayloadError, type NormalizedRecord } from "../../domain/records";
import { parseDataRange } from "./api";
import legacyEgvs from "./fixtures/v2-egvs.legacy.response.json";
import alerts from "./fixtures/v3-alerts.response.json";
import calibrations from "./fixtures/v3-calibrations.response.json";
import dataRange from "./fixtures/v3-dataRange.response.json";
import devices from "./fixtures/v3-devices.truncated.response.json";
import egvs from "./fixtures/v3-egvs.schema-derived.json";
import events from "./fixtures/v3-events.response.json";
import { normalizeDexcom } from "./normalize";

const USER = "5b329ebcfbf2f0ba7e49d4c5eb57775468f5ee657ac16fcde07e1fd08197b4c7";

const page = (recordType: string, records: unknown[]) => ({ recordType, recordVersion: "3.0", userId: USER, records });

/** A valid v3 EGV record (values from Dexcom's v2 sample), overridden per test. */
const egv = (fields: Record<string, unknown> = {}) => ({
  recordId: "7a1c2f0e-0000-4000-a000-000000000001",
  systemTime: "2018-02-06T09:12:35",
  displayTime: "2018-02-06T01:12:35",
  transmitterId: "d55d01d0341ed0ba2cd99b322e8c5b609254f47d10c7cd12b99b4922effeba44",
  transmitterTicks: 5365831,
  value: 122,
  status: "ok",
  trend: "flat",
  trendRate: -0.5,
  unit: "mg/dL",
  rateUnit: "mg/dL/min",
  displayDevice: "receiver",
  transmitterGeneration: "g6",
  ...fields,
});

const event = (fields: Record<string, unknown> = {}) => ({
  recordId: "9b7f3d21-0000-4000-a000-000000000001",
  systemTime: "2022-02-06T09:12:35+00:00",
  displayTime: "2022-02-06T01:12:35-08:00",
  eventStatus: "created",
  eventType: "carbs",
  eventSubType: null,
  value: "45",
  unit: "grams",
  transmitterId: "d55d01d0341ed0ba2cd99b322e8c5b609254f47d10c7cd12b99b4922effeba44",
  transmitterGeneration: "g7",
  displayDevice: "iOS",
  ...fields,
});

const onlyReading = (record: unknown) => {
  const result = normalizeDexcom("egvs", page("egv", [record]));
  expect(result.skipped).toEqual([]);
  expect(result.records).toHaveLength(1);
  return result.records[0] as NormalizedRecord<"glucose_reading">;
};

const skippedReason = (kind: "egvs" | "calibrations" | "events", record: unknown) => {
  const result = normalizeDexcom(kind, page(kind, [record]));
  expect(result.records).toEqual([]);
  expect(result.skipped).toHaveLength(1);
  return result.skipped[0]!;
};

describe("official v3 samples", () => {
  it("dataRange: yields no records, and its spans are the UTC systemTimes", () => {
    expect(normalizeDexcom("dataRange", dataRange)).toEqual({ records: [], skipped: [] });
    const at = Date.UTC(2021, 5, 1, 1, 10, 8);
    expect(parseDataRange(dataRange)).toEqual({
      userId: USER,
      egvs: { start: at, end: at },
      calibrations: { start: at, end: at },
      events: { start: at, end: at },
    });
  });

  it("dataRange: a kind without data may be absent or null", () => {
    const { egvs: _egvs, ...withoutEgvs } = dataRange;
    expect(parseDataRange({ ...withoutEgvs, events: null })).toMatchObject({
      egvs: null,
      events: null,
      calibrations: { start: Date.UTC(2021, 5, 1, 1, 10, 8) },
    });
  });

  it("calibrations: the fingerstick value in both units at its systemTime", () => {
    const { records, skipped } = normalizeDexcom("calibrations", calibrations);
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "glucose_calibration",
        externalId: "763923b7-5424-451e-b37d-fd8ff635b308",
        // "2022-06-17T03:59:11" has no offset: systemTime is UTC (displayTime shows 19:59:11 the day before, UTC−8).
        startTime: Date.UTC(2022, 5, 17, 3, 59, 11),
        endTime: null,
        data: {
          effective_time_frame: { date_time: "2022-06-17T03:59:11.000Z" },
          blood_glucose: { value: 124, unit: "mg/dL" },
          blood_glucose_molar: { value: 6.9, unit: "mmol/L" },
          specimen_source: "capillary blood",
        },
        raw: calibrations.records[0],
      },
    ]);
  });

  it("events: an insulin entry whose value arrives as a number although the schema says string", () => {
    const { records, skipped } = normalizeDexcom("events", events);
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "cgm_event",
        externalId: "763923b7-5424-451e-b37d-fd8ff635b308",
        startTime: Date.UTC(2022, 1, 6, 9, 12, 35),
        endTime: null,
        data: {
          effective_time_frame: { date_time: "2022-02-06T09:12:35.000Z" },
          event_type: "insulin",
          event_subtype: "longActing",
          value: 400,
          unit: "units",
          status: "created",
        },
        raw: events.records[0],
      },
    ]);
  });

  it("devices: the (truncated) sample is accepted and yields no health records", () => {
    expect(normalizeDexcom("devices", devices)).toEqual({ records: [], skipped: [] });
    const broken = { ...devices, records: [{ ...devices.records[0], lastUploadDate: "not a date" }] };
    expect(normalizeDexcom("devices", broken).skipped[0]!.reason).toContain("lastUploadDate");
  });

  it("egvs (schema-derived v3 page): readings, High and Low, receiver and app time formats", () => {
    const { records, skipped } = normalizeDexcom("egvs", egvs);
    expect(skipped).toEqual([]);
    const byId = new Map(records.map((r) => [r.externalId, r as NormalizedRecord<"glucose_reading">]));
    expect(byId.size).toBe(4);

    const first = byId.get("0f5e8a3c-3b1d-4c2a-9d0e-000000000001")!;
    expect(first.startTime).toBe(Date.UTC(2018, 1, 6, 9, 12, 35));
    expect(first.data).toEqual({
      effective_time_frame: { date_time: "2018-02-06T09:12:35.000Z" },
      blood_glucose: { value: 122, unit: "mg/dL" },
      blood_glucose_molar: { value: 6.8, unit: "mmol/L" },
      specimen_source: "interstitial fluid",
      trend: "flat",
      trend_rate: { value: -0.5, unit: "mg/dL/min" },
      // A receiver's displayTime has no offset; it is kept exactly as the person saw it.
      display_time: "2018-02-06T01:12:35",
      device: "g6",
    });
    expect(byId.get("0f5e8a3c-3b1d-4c2a-9d0e-000000000002")!.data.status).toBe("ok");

    const high = byId.get("0f5e8a3c-3b1d-4c2a-9d0e-000000000003")!;
    expect(high.startTime).toBe(Date.UTC(2022, 1, 6, 9, 12, 35));
    expect(high.data).toMatchObject({ blood_glucose: { value: 400, unit: "mg/dL" }, blood_glucose_molar: { value: 22.2 }, status: "high", trend: "none" });
    expect(high.data.trend_rate).toBeUndefined();

    const low = byId.get("0f5e8a3c-3b1d-4c2a-9d0e-000000000004")!;
    expect(low.startTime).toBe(Date.UTC(2022, 1, 6, 12, 37, 35));
    expect(low.data).toMatchObject({ blood_glucose: { value: 40 }, blood_glucose_molar: { value: 2.2 }, status: "low", trend: "notComputable", device: "g7" });
  });

  it("rejects the v2 egvs envelope (Dexcom's official v2 sample): v3 is the only version we call", () => {
    expect(() => normalizeDexcom("egvs", legacyEgvs)).toThrow(MalformedPayloadError);
  });

  it("never invents an id: v2 records (no recordId) inside a v3 envelope are skipped", () => {
    const { records, skipped } = normalizeDexcom("egvs", page("egv", legacyEgvs.egvs));
    expect(records).toEqual([]);
    expect(skipped).toHaveLength(3);
    for (const item of skipped) expect(item).toEqual({ externalId: null, reason: expect.stringContaining("recordId") });
  });
});

describe("High and Low readings", () => {
  it.each([
    ["null value, status high", { value: null, status: "high" }, 400, "high"],
    ["the limit itself, status high", { value: 400, status: "high" }, 400, "high"],
    ["null value, status low", { value: null, status: "low" }, 40, "low"],
    ["39 with no status (below the 40 mg/dL range)", { value: 39, status: null }, 40, "low"],
    ["401 with status ok (above the 400 mg/dL range)", { value: 401, status: "ok" }, 400, "high"],
    ["mmol/L below range", { value: 2.0, unit: "mmol/L", status: null }, 40, "low"],
  ])("%s becomes the range limit with its status", (_name, fields, mgdl, status) => {
    const reading = onlyReading(egv(fields));
    expect(reading.data.blood_glucose).toEqual({ value: mgdl, unit: "mg/dL" });
    expect(reading.data.status).toBe(status);
  });
});

describe("readings Dexcom sends without a usable value", () => {
  it.each([null, "ok", "unknown"])("value null with status %s is skipped as 'no value'", (status) => {
    expect(skippedReason("egvs", egv({ value: null, status }))).toEqual({
      externalId: "7a1c2f0e-0000-4000-a000-000000000001",
      reason: "dexcom egvs: no value",
    });
  });

  it.each(["unknown", "mg/dl", null])("unit %s is skipped with the unit named, never assumed to be mg/dL", (unit) => {
    const item = skippedReason("egvs", egv({ unit }));
    expect(item.externalId).toBe("7a1c2f0e-0000-4000-a000-000000000001");
    expect(item.reason).toBe(`dexcom egvs: unit ${JSON.stringify(unit)} is neither mg/dL nor mmol/L`);
  });

  it("a value that is not a number is skipped", () => {
    expect(skippedReason("egvs", egv({ value: "122" })).reason).toContain("value");
  });

  it("a zero or negative value is skipped rather than shown as a Low", () => {
    expect(skippedReason("egvs", egv({ value: 0 })).reason).toBe("dexcom egvs: value 0 is not a glucose reading");
  });

  it("a record without recordId or with a bad systemTime is skipped with the reason", () => {
    expect(skippedReason("egvs", egv({ recordId: undefined }))).toEqual({ externalId: null, reason: expect.stringContaining("recordId") });
    expect(skippedReason("egvs", egv({ systemTime: "2018-02-30T09:12:35" }))).toEqual({
      externalId: "7a1c2f0e-0000-4000-a000-000000000001",
      reason: 'dexcom egvs: systemTime "2018-02-30T09:12:35" is not a date-time',
    });
  });

  it("one bad record does not cost the page its good ones", () => {
    const result = normalizeDexcom("egvs", page("egv", [egv({ recordId: "a" }), egv({ recordId: "b", value: null }), "garbage", egv({ recordId: "c" })]));
    expect(result.records.map((r) => r.externalId)).toEqual(["a", "c"]);
    expect(result.skipped.map((s) => s.externalId)).toEqual(["b", null]);
  });
});

describe("trends and units", () => {
  it("an unknown trend name keeps the reading, with trend 'unknown'", () => {
    expect(onlyReading(egv({ trend: "tripleUp" })).data.trend).toBe("unknown");
    expect(onlyReading(egv({ trend: null })).data.trend).toBe("unknown");
  });

  it("every trend of Dexcom's enum passes through unchanged", () => {
    for (const trend of [
      "none",
      "unknown",
      "doubleUp",
      "singleUp",
      "fortyFiveUp",
      "flat",
      "fortyFiveDown",
      "singleDown",
      "doubleDown",
      "notComputable",
      "rateOutOfRange",
    ]) {
      expect(onlyReading(egv({ trend })).data.trend).toBe(trend);
    }
  });

  it("mmol/L readings and mmol/L/min rates are converted, keeping the molar value as sent", () => {
    const reading = onlyReading(egv({ value: 6.8, unit: "mmol/L", trendRate: 0.1, rateUnit: "mmol/L/min" }));
    expect(reading.data.blood_glucose).toEqual({ value: 123, unit: "mg/dL" }); // 6.8 × 18.0182 = 122.5
    expect(reading.data.blood_glucose_molar).toEqual({ value: 6.8, unit: "mmol/L" });
    expect(reading.data.trend_rate).toEqual({ value: 1.8, unit: "mg/dL/min" }); // 0.1 × 18.0182
  });

  it("a rate in an unknown unit is dropped, the reading kept", () => {
    const reading = onlyReading(egv({ trendRate: 2.5, rateUnit: "unknown" }));
    expect(reading.data.trend_rate).toBeUndefined();
    expect(reading.data.blood_glucose.value).toBe(122);
  });

  it("systemTime with Z, +00:00, fractions or no offset all mean the same UTC instant", () => {
    const at = Date.UTC(2022, 1, 6, 9, 12, 35);
    for (const systemTime of [
      "2022-02-06T09:12:35",
      "2022-02-06T09:12:35Z",
      "2022-02-06T09:12:35+00:00",
      "2022-02-06T01:12:35-08:00",
      "2022-02-06T09:12:35.000Z",
    ]) {
      expect(onlyReading(egv({ systemTime })).startTime, systemTime).toBe(at);
    }
  });
});

describe("ids and order", () => {
  it("duplicate recordIds collapse by externalId, within a page and across pages", () => {
    const first = normalizeDexcom("egvs", page("egv", [egv({ recordId: "a", value: 120 }), egv({ recordId: "b" }), egv({ recordId: "a", value: 121 })]));
    // Within a page the last copy wins, so a batch never upserts the same row twice.
    expect(first.records.map((r) => [r.externalId, (r as NormalizedRecord<"glucose_reading">).data.blood_glucose.value])).toEqual([
      ["a", 121],
      ["b", 122],
    ]);
    const second = normalizeDexcom("egvs", page("egv", [egv({ recordId: "b" }), egv({ recordId: "c" })]));
    const stored = new Map([...first.records, ...second.records].map((r) => [r.externalId, r]));
    expect([...stored.keys()].sort()).toEqual(["a", "b", "c"]);
  });

  it("order does not matter: each record keeps its own time", () => {
    const times = ["2024-03-01T10:05:00", "2024-03-01T10:00:00", "2024-03-01T10:15:00", "2024-03-01T10:10:00"];
    const records = times.map((systemTime, i) => egv({ recordId: `r${i}`, systemTime, value: 100 + i }));
    const shuffled = normalizeDexcom("egvs", page("egv", records)).records;
    const reversed = normalizeDexcom("egvs", page("egv", [...records].reverse())).records;
    const byId = (list: NormalizedRecord[]) => [...list].sort((a, b) => a.externalId.localeCompare(b.externalId));
    expect(byId(shuffled)).toEqual(byId(reversed));
    for (const [i, systemTime] of times.entries()) {
      const record = shuffled.find((r) => r.externalId === `r${i}`)!;
      expect(record.startTime).toBe(Date.parse(`${systemTime}Z`));
      expect((record as NormalizedRecord<"glucose_reading">).data.blood_glucose.value).toBe(100 + i);
    }
  });
});

describe("calibrations", () => {
  it("a calibration without a unit is skipped, not assumed mg/dL", () => {
    expect(skippedReason("calibrations", { ...calibrations.records[0], unit: null }).reason).toBe("dexcom calibrations: unit null is neither mg/dL nor mmol/L");
  });

  it("mmol/L calibrations are converted", () => {
    const { records } = normalizeDexcom("calibrations", page("calibration", [{ ...calibrations.records[0], unit: "mmol/L", value: 7 }]));
    expect((records[0] as NormalizedRecord<"glucose_calibration">).data).toMatchObject({ blood_glucose: { value: 126 }, blood_glucose_molar: { value: 7 } });
  });
});

describe("events", () => {
  const data = (fields: Record<string, unknown>) => {
    const { records, skipped } = normalizeDexcom("events", page("event", [event(fields)]));
    expect(skipped).toEqual([]);
    return (records[0] as NormalizedRecord<"cgm_event">).data;
  };

  it("reads the value whether Dexcom sends a string (the schema) or a number (the sample)", () => {
    expect(data({ value: "45" })).toMatchObject({ event_type: "carbs", value: 45, unit: "grams", status: "created" });
    expect(data({ value: 45 })).toMatchObject({ value: 45 });
    expect(data({ eventType: "insulin", eventSubType: "fastActing", value: "4.5", unit: "units" })).toMatchObject({ event_subtype: "fastActing", value: 4.5 });
  });

  it("keeps deleted events, value or not, so the stored copy can be removed", () => {
    expect(data({ eventStatus: "deleted", value: null })).toEqual({
      effective_time_frame: { date_time: "2022-02-06T09:12:35.000Z" },
      event_type: "carbs",
      unit: "grams",
      status: "deleted",
    });
  });

  it("skips a carbs/insulin/exercise entry whose value is not a number, or is negative", () => {
    expect(skippedReason("events", event({ value: "lots" })).reason).toBe("dexcom events: carbs event has no numeric value");
    expect(skippedReason("events", event({ value: null })).reason).toBe("dexcom events: carbs event has no numeric value");
    expect(skippedReason("events", event({ value: "-5" })).reason).toBe("dexcom events: carbs value -5 is negative");
  });

  it("keeps notes and health entries without a numeric value", () => {
    expect(data({ eventType: "notes", value: "pizza night", unit: null })).toEqual({
      effective_time_frame: { date_time: "2022-02-06T09:12:35.000Z" },
      event_type: "notes",
      status: "created",
    });
    expect(data({ eventType: "health", eventSubType: "illness", value: "", unit: "unknown" })).toMatchObject({
      event_type: "health",
      event_subtype: "illness",
    });
  });

  it("an event type Dexcom adds later becomes 'unknown' rather than being lost", () => {
    expect(data({ eventType: "meal", value: "1", unit: "unknown" })).toMatchObject({ event_type: "unknown", value: 1 });
  });

  it("an invalid eventStatus is skipped with the reason", () => {
    expect(skippedReason("events", event({ eventStatus: "archived" })).reason).toContain("eventStatus");
  });
});

describe("malformed bodies", () => {
  it.each([
    ["null", null],
    ["an array", [egv()]],
    ["no records", { recordType: "egv", recordVersion: "3.0", userId: USER }],
    ["records not an array", { recordType: "egv", recordVersion: "3.0", userId: USER, records: {} }],
    ["no userId", { recordType: "egv", recordVersion: "3.0", records: [] }],
    ["another major version", { recordType: "egv", recordVersion: "2.0", userId: USER, records: [] }],
    ["an error body", { error: "invalid_token" }],
  ])("%s is rejected whole with MalformedPayloadError", (_name, body) => {
    expect(() => normalizeDexcom("egvs", body)).toThrow(MalformedPayloadError);
  });

  it("a dataRange without the envelope is rejected", () => {
    expect(() => normalizeDexcom("dataRange", { egvs: dataRange.egvs })).toThrow(MalformedPayloadError);
  });

  it("an unknown kind is rejected", () => {
    expect(() => normalizeDexcom("alertSchedules" as never, page("alerts", []))).toThrow(MalformedPayloadError);
  });
});

describe("normalizeDexcom: alerts (Dexcom's published v3 sample)", () => {
  it("turns each alert into a glucose alert keyed by its recordId, at its systemTime", () => {
    const { records, skipped } = normalizeDexcom("alerts", alerts);
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "glucose_alert",
        externalId: "3cb368a9-7b7c-45dc-850a-33f62118bfd5",
        startTime: Date.UTC(2022, 11, 5, 15, 0, 25, 438),
        endTime: null,
        data: {
          effective_time_frame: { date_time: "2022-12-05T15:00:25.438Z" },
          alert_name: "high",
          alert_state: "activeAlarming",
          display_time: "2022-12-05T15:00:25.438Z",
          device: "receiver",
        },
        raw: alerts.records[0],
      },
    ]);
  });

  it("keeps an alert name or state it does not know as unknown, and skips one without a usable time or id", () => {
    const sample = alerts.records[0]!;
    const body = page("alerts", [
      { ...sample, recordId: "a-1", alertName: "signalLoss", alertState: "acknowledged" },
      { ...sample, recordId: "a-2", systemTime: "yesterday" },
      { ...sample, recordId: "" },
    ]);
    const { records, skipped } = normalizeDexcom("alerts", body);
    expect(records.map((r) => [r.externalId, (r.data as Record<string, unknown>).alert_name, (r.data as Record<string, unknown>).alert_state])).toEqual([
      ["a-1", "unknown", "unknown"],
    ]);
    expect(skipped).toEqual([
      { externalId: "a-2", reason: 'dexcom alerts: systemTime "yesterday" is not a date-time' },
      { externalId: null, reason: expect.stringMatching(/^dexcom alerts: recordId /) },
    ]);
  });

  it("rejects an alerts body that is not the v3 envelope", () => {
    expect(() => normalizeDexcom("alerts", { records: alerts.records })).toThrow(MalformedPayloadError);
  });
});
