import { describe, expect, it } from "vitest";
import { MalformedPayloadError, type NormalizedRecord, RECORD_BODIES } from "../../domain/records";
import collectionDocsCurrent from "./fixtures/collection.docs-current.json";
import dailyActivityDocs from "./fixtures/daily_activity.docs-2022.json";
import dailyReadinessDocs from "./fixtures/daily_readiness.docs-2022.json";
import dailySleepDocs from "./fixtures/daily_sleep.docs-2022.json";
import heartrateDocs from "./fixtures/heartrate.docs-2022.json";
import heartrateSameSecond from "./fixtures/heartrate.same-second.json";
import heartrateSchema from "./fixtures/heartrate.schema-derived.json";
import sleepDocs from "./fixtures/sleep.docs-2022.json";
import sleepSchema from "./fixtures/sleep.schema-derived.json";
import { normalizeOura, OURA_KINDS, type OuraKind } from "./normalize";

const page = (...data: unknown[]) => ({ data, next_token: null });
const clone = <T>(value: T): T => structuredClone(value);

function only<K extends NormalizedRecord["kind"]>(records: NormalizedRecord[], kind: K) {
  return records.filter((record): record is NormalizedRecord<K> => record.kind === kind);
}

describe("normalizeOura against Oura's published examples", () => {
  it("daily_sleep: score, contributors, day and the document id", () => {
    const { records, skipped } = normalizeOura("daily_sleep", dailySleepDocs);
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "daily_sleep",
        externalId: "8f9a5221-639e-4a85-81cb-4065ef23f979",
        startTime: Date.UTC(2022, 6, 14),
        endTime: null,
        data: {
          date: "2022-07-14",
          score: 63,
          contributors: { deep_sleep: 57, efficiency: 98, latency: 81, rem_sleep: 20, restfulness: 54, timing: 84, total_sleep: 60 },
        },
        raw: dailySleepDocs.data[0],
      },
    ]);
  });

  it("daily_readiness: score, temperature deviation in °C, and contributors without the null one", () => {
    const { records, skipped } = normalizeOura("daily_readiness", dailyReadinessDocs);
    expect(skipped).toEqual([]);
    const [readiness] = only(records, "readiness");
    expect(records).toHaveLength(1);
    expect(readiness).toMatchObject({ kind: "readiness", externalId: "8f9a5221-639e-4a85-81cb-4065ef23f979", startTime: Date.UTC(2021, 9, 27) });
    expect(readiness!.data).toEqual({
      date: "2021-10-27",
      score: 66,
      skin_temperature_deviation: { value: -0.2, unit: "Cel" },
      contributors: {
        activity_balance: 56,
        body_temperature: 98,
        hrv_balance: 75,
        previous_night: 35,
        recovery_index: 47,
        resting_heart_rate: 94,
        sleep_balance: 73,
      },
    });
    expect(readiness!.data.contributors).not.toHaveProperty("previous_day_activity");
  });

  it("daily_activity: steps, calories in kcal, active minutes, and the equivalent walking distance not as a measured distance", () => {
    const { records, skipped } = normalizeOura("daily_activity", dailyActivityDocs);
    expect(skipped).toEqual([]);
    const [activity] = only(records, "daily_activity");
    // The activity day starts at 04:00 local (-08:00), i.e. 12:00 UTC.
    expect(activity).toMatchObject({ externalId: "8f9a5221-639e-4a85-81cb-4065ef23f979", startTime: Date.UTC(2021, 10, 26, 12), endTime: null });
    expect(activity!.data).toEqual({
      date: "2021-11-26",
      step_count: { value: 18430, unit: "steps" },
      active_energy_burned: { value: 1222, unit: "kcal" },
      total_energy_burned: { value: 3446, unit: "kcal" },
      active_minutes: { value: (3000 + 6060) / 60, unit: "min" },
      equivalent_walking_distance: { value: 20122, unit: "m" },
      score: 82,
    });
    expect(activity!.raw).toBe(dailyActivityDocs.data[0]);
  });

  it("sleep (2022 docs example): total_sleep_duration is null, so the session is skipped but the night's HRV is kept", () => {
    const { records, skipped } = normalizeOura("sleep", sleepDocs);
    expect(skipped).toEqual([{ externalId: "8f9a5221-639e-4a85-81cb-4065ef23f979", reason: "sleep: total_sleep_duration is missing" }]);
    expect(records).toHaveLength(1);
    const [hrv] = only(records, "hrv");
    expect(hrv).toMatchObject({
      externalId: "8f9a5221-639e-4a85-81cb-4065ef23f979",
      startTime: Date.parse("2022-07-12T08:05:14Z"),
      endTime: Date.parse("2022-07-12T16:25:14Z"),
    });
    expect(hrv!.data).toEqual({
      effective_time_frame: { time_interval: { start_date_time: "2022-07-12T01:05:14-07:00", end_date_time: "2022-07-12T09:25:14-07:00" } },
      rmssd: { value: 117, unit: "ms" },
    });
  });

  it("sleep (schema-derived): every field of a main sleep and a nap; a deleted period is skipped", () => {
    const { records, skipped } = normalizeOura("sleep", sleepSchema);
    const sessions = only(records, "sleep_session");
    expect(sessions.map((s) => s.externalId)).toEqual(["3c1f5d0e-9a7b-4c2e-8f11-2b6d9e4a7c01", "7e2a9c44-1d3b-4f6a-9b0e-5c8d2f1a6e92"]);
    const [main, nap] = sessions;
    expect(main!.startTime).toBe(Date.parse("2024-03-13T22:12:30Z"));
    expect(main!.endTime).toBe(Date.parse("2024-03-14T06:04:00Z"));
    expect(main!.data).toEqual({
      effective_time_frame: { time_interval: { start_date_time: "2024-03-13T23:12:30+01:00", end_date_time: "2024-03-14T07:04:00+01:00" } },
      total_sleep_time: { value: 25530, unit: "s" },
      time_in_bed: { value: 28290, unit: "s" },
      sleep_stages: {
        deep: { value: 4620, unit: "s" },
        light: { value: 15000, unit: "s" },
        rem: { value: 5910, unit: "s" },
        awake: { value: 2760, unit: "s" },
      },
      latency_to_sleep_onset: { value: 690, unit: "s" },
      sleep_maintenance_efficiency_percentage: { value: 90, unit: "%" },
      is_main_sleep: true,
      heart_rate_average: { value: 54.625, unit: "beats/min" },
      heart_rate_lowest: { value: 49, unit: "beats/min" },
      hrv_rmssd_average: { value: 48, unit: "ms" },
      respiratory_rate: { value: 14.5, unit: "breaths/min" },
    });
    expect(main!.data.score).toBeUndefined();
    expect(nap!.data.is_main_sleep).toBe(false);
    expect(nap!.data.total_sleep_time).toEqual({ value: 1800, unit: "s" });
    expect(only(records, "hrv").map((h) => [h.externalId, h.data.rmssd?.value])).toEqual([
      ["3c1f5d0e-9a7b-4c2e-8f11-2b6d9e4a7c01", 48],
      ["7e2a9c44-1d3b-4f6a-9b0e-5c8d2f1a6e92", 41],
    ]);
    expect(skipped).toEqual([{ externalId: "b5d0e7f3-6c21-4a8e-a3f9-0e4c7b2d9a15", reason: 'sleep: type is "deleted", not a sleep the person kept' }]);
  });

  it("heartrate (2022 docs example): one sample, bpm, source as context, the instant as its id", () => {
    const { records, skipped } = normalizeOura("heartrate", heartrateDocs);
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "heart_rate",
        externalId: "2021-01-01T01:02:03.000Z|sleep",
        startTime: Date.UTC(2021, 0, 1, 1, 2, 3),
        endTime: null,
        data: { effective_time_frame: { date_time: "2021-01-01T01:02:03+00:00" }, heart_rate: { value: 60, unit: "beats/min" }, context: "sleep" },
        raw: heartrateDocs.data[0],
      },
    ]);
  });

  it("heartrate (schema-derived, v1.29 rows with timestamp_unix): every sample, in order, with its context", () => {
    const { records, skipped } = normalizeOura("heartrate", heartrateSchema);
    expect(skipped).toEqual([]);
    const samples = only(records, "heart_rate");
    expect(samples.map((s) => [s.startTime, s.data.heart_rate.value, s.data.context])).toEqual(
      heartrateSchema.data.map((row) => [row.timestamp_unix, row.bpm, row.source]),
    );
    expect(samples.map((s) => s.externalId)).toEqual(heartrateSchema.data.map((row) => `${new Date(row.timestamp_unix).toISOString()}|${row.source}`));
  });

  it('Oura\'s current placeholder sample ({"data": [{}]}) is skipped item by item, for every kind', () => {
    for (const kind of OURA_KINDS) {
      const { records, skipped } = normalizeOura(kind, collectionDocsCurrent);
      expect(records, kind).toEqual([]);
      expect(skipped, kind).toHaveLength(1);
      expect(skipped[0]!.externalId, kind).toBeNull();
      expect(skipped[0]!.reason, kind).toMatch(kind === "heartrate" ? /timestamp is not a date-time/ : /id is missing/);
    }
  });

  it("every record it produces satisfies the shared record contract", () => {
    const fixtures: [OuraKind, unknown][] = [
      ["daily_sleep", dailySleepDocs],
      ["daily_readiness", dailyReadinessDocs],
      ["daily_activity", dailyActivityDocs],
      ["sleep", sleepDocs],
      ["sleep", sleepSchema],
      ["heartrate", heartrateDocs],
      ["heartrate", heartrateSchema],
    ];
    for (const [kind, body] of fixtures) {
      for (const record of normalizeOura(kind, body).records)
        expect(RECORD_BODIES[record.kind].safeParse(record.data).success, `${kind} ${record.externalId}`).toBe(true);
    }
  });
});

describe("normalizeOura: envelopes that are not Oura's", () => {
  it.each([
    ["null", null],
    ["a bare list", [{ id: "x" }]],
    ["a string (a non-JSON body)", "<html>Bad gateway</html>"],
    ["data that is not a list", { data: { id: "x" }, next_token: null }],
    ["a numeric next_token", { data: [], next_token: 5 }],
    ["no data at all", { next_token: null }],
  ])("%s throws MalformedPayloadError", (_label, body) => {
    for (const kind of OURA_KINDS) expect(() => normalizeOura(kind, body)).toThrow(MalformedPayloadError);
  });

  it("an empty page is fine and yields nothing", () => {
    for (const kind of OURA_KINDS) expect(normalizeOura(kind, { data: [], next_token: null })).toEqual({ records: [], skipped: [] });
  });
});

describe("normalizeOura: bad items are skipped with a reason, the rest of the page is kept", () => {
  const goodDailySleep = dailySleepDocs.data[0]!;

  it("daily_sleep without a score yet, with a score off the 0–100 scale, a malformed day or timestamp", () => {
    const { records, skipped } = normalizeOura(
      "daily_sleep",
      page(
        { ...goodDailySleep, id: "no-score", score: null },
        { ...goodDailySleep, id: "too-high", score: 120 },
        { ...goodDailySleep, id: "bad-day", day: "2022-7-14" },
        { ...goodDailySleep, id: "bad-time", timestamp: "string" },
        { ...goodDailySleep, id: "text-score", score: "63" },
        goodDailySleep,
      ),
    );
    expect(records.map((r) => r.externalId)).toEqual([goodDailySleep.id]);
    expect(skipped).toEqual([
      { externalId: "no-score", reason: "daily_sleep: score is missing (Oura has not scored this day)" },
      { externalId: "too-high", reason: expect.stringMatching(/^daily_sleep: score /) },
      { externalId: "bad-day", reason: "daily_sleep: day is not a YYYY-MM-DD date" },
      { externalId: "bad-time", reason: "daily_sleep: timestamp is not a date-time with an offset" },
      { externalId: "text-score", reason: "daily_sleep: score is not a number" },
    ]);
  });

  it("items that are not objects and items without an id", () => {
    const { records, skipped } = normalizeOura("daily_readiness", page(42, null, { ...dailyReadinessDocs.data[0], id: "" }));
    expect(records).toEqual([]);
    expect(skipped).toEqual([
      { externalId: null, reason: "daily_readiness: item is not an object" },
      { externalId: null, reason: "daily_readiness: item is not an object" },
      { externalId: null, reason: "daily_readiness: id is missing" },
    ]);
  });

  it("daily_activity without steps is skipped; without a score it is kept without one", () => {
    const item = dailyActivityDocs.data[0]!;
    const { records, skipped } = normalizeOura("daily_activity", page({ ...item, id: "no-steps", steps: null }, { ...item, id: "unscored", score: null }));
    expect(skipped).toEqual([{ externalId: "no-steps", reason: "daily_activity: steps is missing" }]);
    expect(records.map((r) => r.externalId)).toEqual(["unscored"]);
    expect(only(records, "daily_activity")[0]!.data.score).toBeUndefined();
  });

  it("sleep that ends before it starts, a rejected 'rest' period, or a field of the wrong type", () => {
    const main = sleepSchema.data[0]!;
    const { records, skipped } = normalizeOura(
      "sleep",
      page(
        { ...main, id: "backwards", bedtime_end: "2024-03-13T22:00:00+01:00" },
        { ...main, id: "rejected", type: "rest" },
        { ...main, id: "text-efficiency", efficiency: "90" },
        { ...main, id: "no-start", bedtime_start: null },
      ),
    );
    expect(records).toEqual([]);
    expect(skipped).toEqual([
      { externalId: "backwards", reason: "sleep: bedtime_end is before bedtime_start" },
      { externalId: "rejected", reason: 'sleep: type is "rest", not a sleep the person kept' },
      { externalId: "text-efficiency", reason: "sleep: efficiency is not a number" },
      { externalId: "no-start", reason: "sleep: bedtime_start is not a date-time with an offset" },
    ]);
  });

  it("sleep with no HRV measured yields the session and no HRV record", () => {
    const { records, skipped } = normalizeOura("sleep", page({ ...sleepSchema.data[0], average_hrv: null }));
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.kind)).toEqual(["sleep_session"]);
    expect(only(records, "sleep_session")[0]!.data.hrv_rmssd_average).toBeUndefined();
  });

  it("heart-rate samples without a usable bpm or time are skipped under their timestamp", () => {
    const { records, skipped } = normalizeOura(
      "heartrate",
      page(
        { bpm: null, source: "awake", timestamp: "2024-03-14T06:12:46+00:00" },
        { bpm: 0, source: "awake", timestamp: "2024-03-14T06:17:46+00:00" },
        { bpm: 61, source: "awake", timestamp: "2024-03-14 06:22:46" },
        { bpm: 62, source: "awake" },
        { bpm: 63, source: "awake", timestamp: "2024-03-14T06:27:46+00:00" },
      ),
    );
    expect(records.map((r) => r.externalId)).toEqual(["2024-03-14T06:27:46.000Z|awake"]);
    expect(skipped).toEqual([
      { externalId: "2024-03-14T06:12:46.000Z|awake", reason: "heartrate: bpm is missing or not positive" },
      { externalId: "2024-03-14T06:17:46.000Z|awake", reason: "heartrate: bpm is missing or not positive" },
      { externalId: "2024-03-14 06:22:46", reason: "heartrate: timestamp is not a date-time with an offset" },
      { externalId: null, reason: "heartrate: timestamp is not a date-time with an offset" },
    ]);
  });

  it("is pure: the same body gives the same result and is not modified", () => {
    const body = clone(sleepSchema);
    const before = JSON.stringify(body);
    const first = normalizeOura("sleep", body);
    const second = normalizeOura("sleep", body);
    expect(second).toEqual(first);
    expect(JSON.stringify(body)).toBe(before);
  });
});

describe("heart-rate samples in the same second", () => {
  it("keeps both when they come from different sources (keyed by instant and source)", () => {
    const { records, skipped } = normalizeOura("heartrate", heartrateSameSecond);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.externalId)).toEqual([
      "2024-03-14T17:30:05.000Z|awake",
      "2024-03-14T17:30:05.000Z|workout",
      "2024-03-14T17:30:10.000Z|workout",
    ]);
    expect(new Set(records.map((r) => r.externalId)).size).toBe(3);
  });
});
