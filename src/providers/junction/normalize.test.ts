import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import activityUpdated from "./fixtures/event-daily-activity-updated.json";
import workoutsCreated from "./fixtures/event-daily-workouts-created.json";
import summaryBody from "./fixtures/summary-body.json";
import summarySleep from "./fixtures/summary-sleep.json";
import glucose from "./fixtures/timeseries-glucose.json";
import heartrate from "./fixtures/timeseries-heartrate.json";
import hrv from "./fixtures/timeseries-hrv.json";
import { normalizeJunction } from "./normalize";

describe("normalizeJunction", () => {
  it("reads a sleep summary from the API's answer", () => {
    const { records, skipped } = normalizeJunction("sleep", summarySleep);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: "sleep_session",
      externalId: "0f2b3c55-7d1e-4c0b-9b8a-2a1f6b0c9e11",
      startTime: Date.parse("2023-05-16T22:41:00Z"),
      endTime: Date.parse("2023-05-17T06:29:00Z"),
      data: {
        total_sleep_time: { value: 25620, unit: "s" },
        time_in_bed: { value: 28080, unit: "s" },
        sleep_stages: {
          deep: { value: 6000, unit: "s" },
          light: { value: 13500, unit: "s" },
          rem: { value: 6120, unit: "s" },
          awake: { value: 2460, unit: "s" },
        },
        heart_rate_lowest: { value: 48, unit: "beats/min" },
        hrv_rmssd_average: { value: 62.5, unit: "ms" },
        respiratory_rate: { value: 14.2, unit: "breaths/min" },
      },
    });
    // A null score stays out rather than becoming 0.
    expect(JSON.parse(JSON.stringify(records[0]!.data))).not.toHaveProperty("score");
  });

  it("reads an activity summary straight from a webhook's data", () => {
    const { records } = normalizeJunction("activity", activityUpdated.data);
    expect(records).toEqual([
      expect.objectContaining({
        kind: "daily_activity",
        externalId: "715dd6a5-0c67-471c-b5fe-9681a980a2c2",
        data: {
          date: "2023-05-17",
          step_count: { value: 1496, unit: "steps" },
          active_energy_burned: { value: 134, unit: "kcal" },
          total_energy_burned: { value: 1006, unit: "kcal" },
          distance: { value: 1162, unit: "m" },
        },
      }),
    ]);
  });

  it("reads a workout, naming it Workout when Junction gives no sport", () => {
    const { records } = normalizeJunction("workouts", workoutsCreated.data);
    expect(records[0]).toMatchObject({
      kind: "workout",
      externalId: "c90bd6fb-0000-4000-8000-000000000000",
      data: { activity_name: "Workout", kcal_burned: { value: 4470, unit: "kcal" }, heart_rate_average: { value: 198, unit: "beats/min" } },
    });
  });

  it("reads body weight and skips a measurement without one", () => {
    const { records, skipped } = normalizeJunction("body", summaryBody);
    expect(records.map((record) => [record.kind, record.externalId, record.data])).toEqual([
      [
        "body_weight",
        "8c1f4e2a-3b5d-4f6e-9a7b-1c2d3e4f5a6b",
        { effective_time_frame: { date_time: "2023-05-17T07:12:00.000Z" }, body_weight: { value: 72.4, unit: "kg" } },
      ],
    ]);
    expect(skipped).toEqual([{ externalId: "9d2a5f3b-4c6e-4a7f-8b9c-2d3e4f5a6b7c", reason: "body: no weight" }]);
  });

  it("reads heart rate samples keyed by their instant", () => {
    const { records } = normalizeJunction("heartrate", heartrate);
    expect(records.map((record) => [record.externalId, record.data])).toEqual([
      ["2023-05-17T07:00:00.000Z", { effective_time_frame: { date_time: "2023-05-17T07:00:00.000Z" }, heart_rate: { value: 61, unit: "beats/min" } }],
      ["2023-05-17T07:05:00.000Z", { effective_time_frame: { date_time: "2023-05-17T07:05:00.000Z" }, heart_rate: { value: 64, unit: "beats/min" } }],
    ]);
  });

  it("keeps HealthKit's SDNN apart from RMSSD", () => {
    const { records } = normalizeJunction("hrv", { data: hrv });
    expect(records.map((record) => record.data)).toEqual([
      { effective_time_frame: { date_time: "2023-05-17T03:12:00.000Z" }, sdnn: { value: 48.3, unit: "ms" } },
      { effective_time_frame: { date_time: "2023-05-17T05:40:00.000Z" }, rmssd: { value: 41, unit: "ms" } },
    ]);
  });

  it("reads glucose in either unit and skips a unit it cannot read", () => {
    const { records, skipped } = normalizeJunction("glucose", glucose);
    expect(
      records.map((record) => {
        const data = record.data as { blood_glucose: unknown; blood_glucose_molar: unknown };
        return [data.blood_glucose, data.blood_glucose_molar];
      }),
    ).toEqual([
      [
        { value: 104, unit: "mg/dL" },
        { value: 5.8, unit: "mmol/L" },
      ],
      [
        { value: 106, unit: "mg/dL" },
        { value: 5.9, unit: "mmol/L" },
      ],
    ]);
    expect(skipped).toEqual([{ externalId: "2023-05-17T07:30:00.000Z", reason: 'glucose: unit "mg/dl/min" is neither mg/dL nor mmol/L' }]);
  });

  it("is deterministic: the same body gives the same records (so a replay upserts, never duplicates)", () => {
    for (const [kind, body] of [
      ["sleep", summarySleep],
      ["heartrate", heartrate],
      ["activity", activityUpdated.data],
    ] as const) {
      expect(normalizeJunction(kind, structuredClone(body))).toEqual(normalizeJunction(kind, body));
    }
  });

  it("counts an item that is not the documented shape, and refuses a body that holds none", () => {
    const { records, skipped } = normalizeJunction("sleep", { sleep: [{ id: "s1", bedtime_start: "yesterday" }] });
    expect(records).toEqual([]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ externalId: "s1" });
    expect(() => normalizeJunction("sleep", { nothing: true })).toThrow(MalformedPayloadError);
    expect(() => normalizeJunction("calories_active", [])).toThrow(MalformedPayloadError);
  });
});
