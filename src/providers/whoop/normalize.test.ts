import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import bodyMeasurementFixture from "./fixtures/body-measurement.json";
import cycleFixture from "./fixtures/cycle-collection.json";
import recoveryFixture from "./fixtures/recovery-collection.json";
import sleepFixture from "./fixtures/sleep-collection.json";
import workoutFixture from "./fixtures/workout-collection.json";
import { normalizeWhoop, type WhoopKind } from "./normalize";

const KCAL_PER_KJ = 0.239006;

/** A deep copy of a fixture's first record, edited: the fixtures themselves stay as published. */
function editedRecord<T extends { records: unknown[] }>(fixture: T, edit: (record: Record<string, any>) => void): Record<string, any> {
  const record = structuredClone(fixture.records[0]) as Record<string, any>;
  edit(record);
  return record;
}

const page = (...records: unknown[]) => ({ records });

/** The fixture's sleep, as the sleep the fixture's recovery scores (the published examples use unrelated ids). */
function sleepScoredBy(recovery: { sleep_id: string }, edit: (sleep: Record<string, any>) => void = () => {}) {
  return editedRecord(sleepFixture, (sleep) => {
    sleep.id = recovery.sleep_id;
    edit(sleep);
  });
}

describe("normalizeWhoop: published examples", () => {
  it("turns a cycle into daily strain with kilojoules as kilocalories, in the member's local time", () => {
    const { records, skipped } = normalizeWhoop("cycle", cycleFixture);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    const [strain] = records;
    expect(strain).toMatchObject({
      kind: "daily_strain",
      externalId: "93845",
      startTime: Date.parse("2022-04-24T02:25:44.774Z"),
      endTime: Date.parse("2022-04-24T10:25:44.774Z"),
      raw: cycleFixture.records[0],
    });
    const data = strain!.data as any;
    expect(data.effective_time_frame.time_interval).toEqual({
      start_date_time: "2022-04-23T21:25:44.774-05:00",
      end_date_time: "2022-04-24T05:25:44.774-05:00",
    });
    expect(Date.parse(data.effective_time_frame.time_interval.start_date_time)).toBe(strain!.startTime);
    expect(data.strain).toBe(5.2951527);
    expect(data.kcal_burned.unit).toBe("kcal");
    expect(data.kcal_burned.value).toBeCloseTo(1980.95, 2);
    expect(data.kcal_burned.value).toBeCloseTo(8288.297 * KCAL_PER_KJ, 9);
    expect(data.heart_rate_average).toEqual({ value: 68, unit: "beats/min" });
    expect(data.heart_rate_max).toEqual({ value: 141, unit: "beats/min" });
  });

  it("turns a sleep into a session: stage milliseconds as seconds, asleep = light + slow wave + REM", () => {
    const { records, skipped } = normalizeWhoop("sleep", sleepFixture);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    const [session] = records;
    expect(session).toMatchObject({
      kind: "sleep_session",
      externalId: "ecfc6a15-4661-442f-a9a4-f160dd7afae8",
      startTime: Date.parse("2022-04-24T02:25:44.774Z"),
      endTime: Date.parse("2022-04-24T10:25:44.774Z"),
      raw: sleepFixture.records[0],
    });
    expect(session!.data).toEqual({
      effective_time_frame: { time_interval: { start_date_time: "2022-04-23T21:25:44.774-05:00", end_date_time: "2022-04-24T05:25:44.774-05:00" } },
      // 14,905,851 + 6,630,370 + 5,879,573 ms
      total_sleep_time: { value: 27415.794, unit: "s" },
      time_in_bed: { value: 30272.735, unit: "s" },
      sleep_stages: {
        deep: { value: 6630.37, unit: "s" },
        light: { value: 14905.851, unit: "s" },
        rem: { value: 5879.573, unit: "s" },
        awake: { value: 1403.507, unit: "s" },
      },
      is_main_sleep: true,
      sleep_maintenance_efficiency_percentage: { value: 91.69533848, unit: "%" },
      respiratory_rate: { value: 16.11328125, unit: "breaths/min" },
      score: 98,
    });
  });

  it("marks a nap as not the main sleep", () => {
    const nap = editedRecord(sleepFixture, (sleep) => (sleep.nap = true));
    const { records } = normalizeWhoop("sleep", page(nap));
    expect((records[0]!.data as any).is_main_sleep).toBe(false);
  });

  it("turns a recovery into readiness keyed by its sleep, dated the local day that sleep ended", () => {
    const recovery = recoveryFixture.records[0]!;
    const { records, skipped } = normalizeWhoop("recovery", { page: recoveryFixture, sleeps: [sleepScoredBy(recovery)] });
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    const [readiness] = records;
    expect(readiness).toMatchObject({
      kind: "readiness",
      externalId: "123e4567-e89b-12d3-a456-426614174000",
      startTime: Date.parse("2022-04-24T10:25:44.774Z"),
      endTime: null,
      raw: recovery,
    });
    // The sleep ended at 05:25 on 24 April in the member's -05:00.
    expect(readiness!.data).toEqual({
      date: "2022-04-24",
      score: 44,
      resting_heart_rate: { value: 64, unit: "beats/min" },
      hrv_rmssd: { value: 31.813562, unit: "ms" },
      spo2_percentage: { value: 95.6875, unit: "%" },
    });
    // Absolute skin temperature is not a deviation from a baseline WHOOP does not publish.
    expect(readiness!.data).not.toHaveProperty("skin_temperature_deviation");
  });

  it("dates readiness by the member's calendar, not UTC's, when they differ", () => {
    const recovery = recoveryFixture.records[0]!;
    // 20:30 UTC on 24 April is 06:30 on 25 April in Sydney (+10:00).
    const sleep = sleepScoredBy(recovery, (s) => {
      s.start = "2022-04-24T12:30:00.000Z";
      s.end = "2022-04-24T20:30:00.000Z";
      s.timezone_offset = "+10:00";
    });
    const { records } = normalizeWhoop("recovery", { page: recoveryFixture, sleeps: [sleep] });
    expect((records[0]!.data as any).date).toBe("2022-04-25");
  });

  it("turns a workout into a workout with its sport, strain, energy in kcal, distance in metres", () => {
    const { records, skipped } = normalizeWhoop("workout", workoutFixture);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    const [workout] = records;
    expect(workout).toMatchObject({
      kind: "workout",
      externalId: "ecfc6a15-4661-442f-a9a4-f160dd7afae8",
      startTime: Date.parse("2022-04-24T02:25:44.774Z"),
      endTime: Date.parse("2022-04-24T10:25:44.774Z"),
      raw: workoutFixture.records[0],
    });
    const data = workout!.data as any;
    expect(data.activity_name).toBe("running");
    expect(data.strain).toBe(8.2463);
    expect(data.kcal_burned.unit).toBe("kcal");
    expect(data.kcal_burned.value).toBeCloseTo(375.08, 2);
    expect(data.kcal_burned.value).toBeCloseTo(1569.34033203125 * KCAL_PER_KJ, 9);
    expect(data.distance).toEqual({ value: 1772.77035916, unit: "m" });
    expect(data.heart_rate_average).toEqual({ value: 123, unit: "beats/min" });
    expect(data.heart_rate_max).toEqual({ value: 146, unit: "beats/min" });
  });

  it("names a workout by its legacy sport id only when sport_name is missing", () => {
    const legacy = editedRecord(workoutFixture, (w) => delete w.sport_name);
    expect((normalizeWhoop("workout", page(legacy)).records[0]!.data as any).activity_name).toBe("WHOOP sport 1");
  });

  it("records the body weight once per UTC day it was read", () => {
    const { records, skipped } = normalizeWhoop("body_measurement", { measurement: bodyMeasurementFixture, read_at: "2025-06-02T07:45:00.000Z" });
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "body_weight",
        externalId: "body-weight:2025-06-02",
        startTime: Date.parse("2025-06-02T07:45:00.000Z"),
        endTime: null,
        data: { effective_time_frame: { date_time: "2025-06-02T07:45:00.000Z" }, body_weight: { value: 90.7185, unit: "kg" } },
        raw: bodyMeasurementFixture,
      },
    ]);
    const later = normalizeWhoop("body_measurement", { measurement: bodyMeasurementFixture, read_at: "2025-06-02T21:00:00.000Z" });
    expect(later.records[0]!.externalId).toBe("body-weight:2025-06-02");
  });
});

describe("normalizeWhoop: items WHOOP has not scored are skipped, never guessed", () => {
  const unscored: [WhoopKind, () => unknown, string][] = [
    ["cycle", () => cycleFixture, "93845"],
    ["sleep", () => sleepFixture, "ecfc6a15-4661-442f-a9a4-f160dd7afae8"],
    ["workout", () => workoutFixture, "ecfc6a15-4661-442f-a9a4-f160dd7afae8"],
  ];
  for (const [kind, fixture, id] of unscored) {
    for (const state of ["PENDING_SCORE", "UNSCORABLE"] as const) {
      it(`skips a ${state} ${kind} with a reason`, () => {
        const item = editedRecord(fixture() as { records: unknown[] }, (r) => {
          r.score_state = state;
          delete r.score;
        });
        const { records, skipped } = normalizeWhoop(kind, page(item));
        expect(records).toEqual([]);
        expect(skipped).toEqual([{ externalId: id, reason: expect.stringContaining(state) }]);
      });
    }
  }

  it("skips a PENDING_SCORE recovery even though its sleep is known", () => {
    const recovery = editedRecord(recoveryFixture, (r) => {
      r.score_state = "PENDING_SCORE";
      delete r.score;
    });
    const { records, skipped } = normalizeWhoop("recovery", { page: page(recovery), sleeps: [sleepScoredBy(recovery as any)] });
    expect(records).toEqual([]);
    expect(skipped).toEqual([{ externalId: "123e4567-e89b-12d3-a456-426614174000", reason: expect.stringMatching(/PENDING_SCORE.*later pull/) }]);
  });

  it("tells a pending score apart from an unusable one", () => {
    const pending = editedRecord(cycleFixture, (r) => (r.score_state = "PENDING_SCORE"));
    const unscorable = editedRecord(cycleFixture, (r) => (r.score_state = "UNSCORABLE"));
    const [pendingReason, unscorableReason] = normalizeWhoop("cycle", page(pending, unscorable)).skipped.map((s) => s.reason);
    expect(pendingReason).toMatch(/still scoring/);
    expect(unscorableReason).toMatch(/could not score/);
  });
});

describe("normalizeWhoop: items with missing or invalid fields are skipped with the reason", () => {
  it("skips a SCORED cycle without its strain, and keeps the good ones beside it", () => {
    const broken = editedRecord(cycleFixture, (r) => {
      r.id = 93846;
      delete r.score.strain;
    });
    const { records, skipped } = normalizeWhoop("cycle", page(cycleFixture.records[0], broken));
    expect(records.map((r) => r.externalId)).toEqual(["93845"]);
    expect(skipped).toEqual([{ externalId: "93846", reason: expect.stringContaining("score.strain") }]);
  });

  it("skips the cycle the member is still in, until it has an end", () => {
    const current = editedRecord(cycleFixture, (r) => delete r.end);
    expect(normalizeWhoop("cycle", page(current))).toEqual({ records: [], skipped: [{ externalId: "93845", reason: expect.stringContaining("in progress") }] });
  });

  it("skips an item without an id", () => {
    const anonymous = editedRecord(sleepFixture, (r) => delete r.id);
    expect(normalizeWhoop("sleep", page(anonymous)).skipped).toEqual([{ externalId: null, reason: "sleep: item has no id" }]);
  });

  it("skips an item whose score_state is not one WHOOP documents", () => {
    const odd = editedRecord(workoutFixture, (r) => (r.score_state = "SCORING"));
    expect(normalizeWhoop("workout", page(odd)).skipped[0]!.reason).toContain("unknown score_state");
  });

  it("skips a sleep missing a stage duration rather than under-counting it", () => {
    const broken = editedRecord(sleepFixture, (r) => delete r.score.stage_summary.total_rem_sleep_time_milli);
    const { records, skipped } = normalizeWhoop("sleep", page(broken));
    expect(records).toEqual([]);
    expect(skipped[0]!.reason).toContain("score.stage_summary.total_rem_sleep_time_milli");
  });

  it("skips an item whose time is not a date-time", () => {
    const broken = editedRecord(workoutFixture, (r) => (r.start = "yesterday"));
    expect(normalizeWhoop("workout", page(broken)).skipped[0]!.reason).toContain("start");
  });

  it("skips an item with an unreadable timezone_offset", () => {
    const broken = editedRecord(cycleFixture, (r) => (r.timezone_offset = "EST"));
    expect(normalizeWhoop("cycle", page(broken)).skipped[0]!.reason).toContain("timezone_offset");
  });

  it("skips a workout with neither sport_name nor sport_id", () => {
    const broken = editedRecord(workoutFixture, (r) => {
      delete r.sport_name;
      delete r.sport_id;
    });
    expect(normalizeWhoop("workout", page(broken)).skipped).toEqual([
      { externalId: "ecfc6a15-4661-442f-a9a4-f160dd7afae8", reason: "workout: has neither sport_name nor sport_id" },
    ]);
  });

  it("skips a recovery score outside 0–100", () => {
    const broken = editedRecord(recoveryFixture, (r) => (r.score.recovery_score = 140));
    const { records, skipped } = normalizeWhoop("recovery", { page: page(broken), sleeps: [sleepScoredBy(broken as any)] });
    expect(records).toEqual([]);
    expect(skipped[0]!.reason).toContain("readiness: score");
  });

  it("skips a recovery whose sleep is not in the pull (by id or by cycle), since its day would be a guess", () => {
    const otherCycle = editedRecord(sleepFixture, (s) => (s.cycle_id = 93846));
    const { records, skipped } = normalizeWhoop("recovery", { page: recoveryFixture, sleeps: [otherCycle] });
    expect(records).toEqual([]);
    expect(skipped).toEqual([{ externalId: "123e4567-e89b-12d3-a456-426614174000", reason: expect.stringContaining("sleep was not in this pull") }]);
  });

  it("skips a body measurement without a usable weight", () => {
    const { records, skipped } = normalizeWhoop("body_measurement", {
      measurement: { ...bodyMeasurementFixture, weight_kilogram: 0 },
      read_at: "2025-06-02T07:45:00.000Z",
    });
    expect(records).toEqual([]);
    expect(skipped).toEqual([{ externalId: "body-weight:2025-06-02", reason: expect.stringContaining("weight_kilogram") }]);
  });
});

describe("normalizeWhoop: a payload that is not WHOOP's envelope is rejected", () => {
  const notAPage = [null, [], "records", { records: "none" }, { next_token: "MTIzOjEyMzEyMw" }, { records: [], next_token: 7 }];
  for (const kind of ["cycle", "sleep", "workout"] as const) {
    it(`rejects ${kind} bodies that are not { records, next_token }`, () => {
      for (const body of notAPage) expect(() => normalizeWhoop(kind, body), JSON.stringify(body)).toThrow(MalformedPayloadError);
    });
  }

  it("rejects a recovery page that is not a collection, or not paired with sleeps", () => {
    expect(() => normalizeWhoop("recovery", recoveryFixture)).toThrow(MalformedPayloadError);
    expect(() => normalizeWhoop("recovery", { page: recoveryFixture })).toThrow(MalformedPayloadError);
    expect(() => normalizeWhoop("recovery", { page: { records: {} }, sleeps: [] })).toThrow(MalformedPayloadError);
  });

  it("rejects a body measurement that is not an object stamped with when it was read", () => {
    expect(() => normalizeWhoop("body_measurement", bodyMeasurementFixture)).toThrow(MalformedPayloadError);
    expect(() => normalizeWhoop("body_measurement", { measurement: bodyMeasurementFixture, read_at: "now" })).toThrow(MalformedPayloadError);
    expect(() => normalizeWhoop("body_measurement", { measurement: [], read_at: "2025-06-02T07:45:00.000Z" })).toThrow(MalformedPayloadError);
  });

  it("accepts the last page, whose next_token is absent or null", () => {
    const last = { records: cycleFixture.records };
    expect(normalizeWhoop("cycle", last).records).toHaveLength(1);
    expect(normalizeWhoop("cycle", { ...last, next_token: null }).records).toHaveLength(1);
  });
});

describe("normalizeWhoop: pairing a recovery with its sleep", () => {
  it("falls back to cycle_id when the recovery's sleep_id names no sleep in the pull (as in WHOOP's own examples)", () => {
    // The published recovery and sleep examples carry unrelated ids but the same cycle_id (93845): as published.
    const recovery = recoveryFixture.records[0]!;
    const sleep = sleepFixture.records[0]!;
    expect(sleep.id).not.toBe(recovery.sleep_id);
    expect(sleep.cycle_id).toBe(recovery.cycle_id);
    const { records, skipped } = normalizeWhoop("recovery", { page: recoveryFixture, sleeps: [sleep] });
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: "readiness", externalId: recovery.sleep_id, startTime: Date.parse(sleep.end) });
  });

  it("does not pair a recovery with a nap of the same cycle", () => {
    const recovery = recoveryFixture.records[0]!;
    const nap = editedRecord(sleepFixture, (s) => {
      s.nap = true;
    });
    const { records, skipped } = normalizeWhoop("recovery", { page: recoveryFixture, sleeps: [nap] });
    expect(records).toEqual([]);
    expect(skipped).toEqual([{ externalId: recovery.sleep_id, reason: expect.stringContaining("its sleep was not in this pull") }]);
  });
});
