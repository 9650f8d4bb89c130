import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import bpmCore from "./fixtures/getmeas.bpm-core.json";
import scale from "./fixtures/getmeas.scale.json";
import { normalizeWithings, realValue } from "./normalize";

const group = (fields: Record<string, unknown>) => ({
  grpid: 1,
  attrib: 0,
  date: 1700000000,
  created: 1700000040,
  modified: 1700000040,
  category: 1,
  deviceid: "dev",
  hash_deviceid: "dev",
  model: "Body Cardio",
  measures: [],
  ...fields,
});

describe("realValue: value × 10^unit", () => {
  it("scales by the exponent and rounds away float noise", () => {
    expect(realValue(110100, -3)).toBe(110.1);
    expect(realValue(1730, -2)).toBe(17.3);
    expect(realValue(15713, -3)).toBe(15.713);
    expect(realValue(72, 0)).toBe(72);
    expect(realValue(7, 1)).toBe(70);
    // 0.1 + 0.2-style noise: 29 × 10^-2 is 0.29000000000000004 in floating point.
    expect(realValue(29, -2)).toBe(0.29);
  });
});

describe("normalizeWithings on published payloads", () => {
  it("reads a scale's groups (fixture: captured getmeas) into body composition and weight, in kg and %", () => {
    const { records, skipped } = normalizeWithings("measures", scale.body);
    expect(skipped).toEqual([]);
    const composition = records.filter((r) => r.kind === "body_composition");
    expect(composition).toHaveLength(2);
    expect(composition[0]).toMatchObject({
      externalId: "3415696183",
      startTime: 1645943416000,
      data: {
        effective_time_frame: { date_time: "2022-02-27T06:30:16.000Z" },
        body_weight: { value: 110.1, unit: "kg" },
        fat_mass: { value: 17.3, unit: "kg" },
        body_fat_percentage: { value: 15.713, unit: "%" },
        source: { device_id: "c57e2809f962b56b9c98c428e0240e16dba37d2f", attribution: "device", attribution_code: 0 },
      },
    });
    expect(records.filter((r) => r.kind === "body_weight").map((r) => r.data)).toEqual([
      { effective_time_frame: { date_time: "2022-02-27T06:30:16.000Z" }, body_weight: { value: 110.1, unit: "kg" } },
      { effective_time_frame: { date_time: "2022-02-26T06:30:16.000Z" }, body_weight: { value: 61.5, unit: "kg" } },
    ]);
    // The provider's group is kept as raw, so a later fix can re-derive the record.
    expect(composition[0]!.raw).toEqual(scale.body.measuregrps[0]);
  });

  it("reads a BPM Core's groups (fixture: getmeas answer) into blood pressure in mm[Hg] with the pulse", () => {
    const { records, skipped } = normalizeWithings("measures", bpmCore.body);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.kind)).toEqual(["blood_pressure", "blood_pressure"]);
    expect(records[0]).toMatchObject({
      externalId: "4716596696",
      data: {
        systolic_blood_pressure: { value: 109, unit: "mm[Hg]" },
        diastolic_blood_pressure: { value: 89, unit: "mm[Hg]" },
        heart_rate: { value: 88, unit: "beats/min" },
        source: { model: "BPM Core", attribution: "device" },
      },
    });
  });
});

describe("normalizeWithings: what it keeps, and what it skips with a reason", () => {
  it("keeps every body-composition type with its UCUM unit", () => {
    const measures = [
      { type: 1, value: 72345, unit: -3 },
      { type: 5, value: 56120, unit: -3 },
      { type: 6, value: 22425, unit: -3 },
      { type: 8, value: 16225, unit: -3 },
      { type: 76, value: 5301, unit: -2 },
      { type: 77, value: 4040, unit: -2 },
      { type: 88, value: 292, unit: -2 },
      { type: 11, value: 64, unit: 0 },
    ];
    const { records } = normalizeWithings("measures", { measuregrps: [group({ measures })] });
    expect(records.find((r) => r.kind === "body_composition")?.data).toMatchObject({
      body_weight: { value: 72.345, unit: "kg" },
      fat_free_mass: { value: 56.12, unit: "kg" },
      body_fat_percentage: { value: 22.425, unit: "%" },
      fat_mass: { value: 16.225, unit: "kg" },
      muscle_mass: { value: 53.01, unit: "kg" },
      hydration: { value: 40.4, unit: "kg" },
      bone_mass: { value: 2.92, unit: "kg" },
      heart_rate: { value: 64, unit: "beats/min" },
    });
  });

  it("keeps ambiguous and hand-entered measures, saying so", () => {
    const { records } = normalizeWithings("measures", {
      measuregrps: [
        group({ grpid: 10, attrib: 1, measures: [{ type: 1, value: 8012, unit: -2 }] }),
        group({ grpid: 11, attrib: 2, deviceid: null, hash_deviceid: null, model: null, measures: [{ type: 1, value: 80, unit: 0 }] }),
      ],
    });
    const sources = records.filter((r) => r.kind === "body_composition").map((r) => (r.data as { source: unknown }).source);
    expect(sources).toEqual([
      { device_id: "dev", model: "Body Cardio", attribution: "device_ambiguous", attribution_code: 1 },
      { device_id: null, attribution: "manual", attribution_code: 2 },
    ]);
  });

  it("skips an unknown measure type with a reason and keeps the group's known measures", () => {
    const { records, skipped } = normalizeWithings("measures", {
      measuregrps: [
        group({
          grpid: 7,
          measures: [
            { type: 1, value: 70, unit: 0 },
            { type: 999, value: 3, unit: 0 },
          ],
        }),
      ],
    });
    expect(skipped).toEqual([{ externalId: "7:999", reason: "measure type 999 is not one Wellness OS reads" }]);
    expect(records.map((r) => r.kind)).toEqual(["body_composition", "body_weight"]);
  });

  it("skips a group of only unknown types, a goal, a half blood pressure and a malformed group, each with a reason", () => {
    const { records, skipped } = normalizeWithings("measures", {
      measuregrps: [
        group({ grpid: 1, measures: [{ type: 999, value: 3, unit: 0 }] }),
        group({ grpid: 2, category: 2, measures: [{ type: 1, value: 65, unit: 0 }] }),
        group({ grpid: 3, measures: [{ type: 10, value: 120, unit: 0 }] }),
        { grpid: 4, date: "yesterday" },
      ],
    });
    expect(records).toEqual([]);
    expect(skipped).toEqual([
      { externalId: "1:999", reason: "measure type 999 is not one Wellness OS reads" },
      { externalId: "2", reason: "category 2 is a goal, not a measurement" },
      { externalId: "3", reason: "blood pressure needs both systolic and diastolic" },
      { externalId: "4", reason: "measure group is not in Withings' documented shape" },
    ]);
  });

  it("rejects a page that is not a getmeas body", () => {
    expect(() => normalizeWithings("measures", { status: 0 })).toThrow(MalformedPayloadError);
    expect(() => normalizeWithings("measures", "<html>")).toThrow(MalformedPayloadError);
  });
});
