import { describe, expect, it } from "vitest";
import { MalformedPayloadError, type NormalizedRecord } from "../../domain/records";
import restingFixture from "./fixtures/daily-resting-heart-rate-list.schema-derived.json";
import heartRateFixture from "./fixtures/heart-rate-list.schema-derived.json";
import exerciseFixture from "./fixtures/list-exercise-datapoints.codelab.json";
import sleepFixture from "./fixtures/sleep-list.schema-derived.json";
import stepsFixture from "./fixtures/steps-daily-rollup.schema-derived.json";
import weightFixture from "./fixtures/weight-list.schema-derived.json";
import { type FitbitKind, int64, normalizeFitbit, timestamp } from "./normalize";

type Json = Record<string, any>;

/** A deep copy of a fixture's first item, edited: the fixtures themselves stay as written. */
function edited(fixture: Json, field: "dataPoints" | "rollupDataPoints", edit: (item: Json) => void, index = 0): Json {
  const item = structuredClone(fixture[field][index]) as Json;
  edit(item);
  return item;
}

const list = (...dataPoints: unknown[]) => ({ dataPoints, nextPageToken: "" });
const rollup = (...rollupDataPoints: unknown[]) => ({ rollupDataPoints });
const dataOf = (record: NormalizedRecord | undefined) => record?.data as Json;

describe("normalizeFitbit: steps (dailyRollUp, schema-derived)", () => {
  it("turns each civil-day window into daily activity, the int64 string sum as a number of steps", () => {
    const { records, skipped } = normalizeFitbit("steps", stepsFixture);
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.kind, r.externalId, dataOf(r)])).toEqual([
      ["daily_activity", "2026-03-07", { date: "2026-03-07", step_count: { value: 11245, unit: "steps" } }],
      ["daily_activity", "2026-03-06", { date: "2026-03-06", step_count: { value: 8023, unit: "steps" } }],
    ]);
    expect(records[0]!.startTime).toBe(Date.UTC(2026, 2, 7));
    expect(records[0]!.endTime).toBe(Date.UTC(2026, 2, 8));
    expect(records[0]!.raw).toEqual(stepsFixture.rollupDataPoints[0]);
  });

  it("skips a day without a step sum instead of storing zero (proto3 leaves zero and empty values out)", () => {
    const noSum = edited(stepsFixture, "rollupDataPoints", (p) => (p.steps = {}));
    const noSteps = edited(stepsFixture, "rollupDataPoints", (p) => delete p.steps, 1);
    const { records, skipped } = normalizeFitbit("steps", rollup(noSum, noSteps));
    expect(records).toEqual([]);
    expect(skipped).toEqual([
      { externalId: "2026-03-07", reason: "steps: no step total for the day" },
      { externalId: "2026-03-06", reason: "steps: no step total for the day" },
    ]);
  });

  it("skips negative, fractional and non-numeric sums, multi-day windows and partial dates", () => {
    const bad = [
      edited(stepsFixture, "rollupDataPoints", (p) => (p.steps.countSum = "-5")),
      edited(stepsFixture, "rollupDataPoints", (p) => (p.steps.countSum = "12.5")),
      edited(stepsFixture, "rollupDataPoints", (p) => (p.steps.countSum = "lots")),
      edited(stepsFixture, "rollupDataPoints", (p) => (p.civilEndTime.date.day = 9)),
      edited(stepsFixture, "rollupDataPoints", (p) => (p.civilStartTime.date = { year: 2026, month: 3 })),
      "not a point",
    ];
    const { records, skipped } = normalizeFitbit("steps", rollup(...bad));
    expect(records).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual([
      "steps: countSum is not a non-negative integer",
      "steps: countSum is not a non-negative integer",
      "steps: countSum is not a non-negative integer",
      "steps: rollup window is not one civil day",
      "steps: civilStartTime.date is missing or not a full date",
      "steps: rollup point is not an object",
    ]);
  });
});

describe("normalizeFitbit: heart rate (list, schema-derived)", () => {
  it("turns samples into heart-rate records keyed by their instant and data source, bpm from the int64 string, motion as context", () => {
    const { records, skipped } = normalizeFitbit("heart_rate", heartRateFixture);
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.externalId, r.startTime, r.endTime, dataOf(r)])).toEqual([
      [
        "2026-03-07T22:34:10.000Z|FITBIT/Google/Pixel Watch 3",
        Date.UTC(2026, 2, 7, 22, 34, 10),
        null,
        { effective_time_frame: { date_time: "2026-03-07T22:34:10.000Z" }, heart_rate: { value: 112, unit: "beats/min" }, context: "active" },
      ],
      [
        "2026-03-07T22:34:05.000Z|FITBIT/Google/Pixel Watch 3",
        Date.UTC(2026, 2, 7, 22, 34, 5),
        null,
        { effective_time_frame: { date_time: "2026-03-07T22:34:05.000Z" }, heart_rate: { value: 109, unit: "beats/min" }, context: "active" },
      ],
      [
        "2026-03-07T22:30:00.000Z|FITBIT/Google/Pixel Watch 3",
        Date.UTC(2026, 2, 7, 22, 30),
        null,
        { effective_time_frame: { date_time: "2026-03-07T22:30:00.000Z" }, heart_rate: { value: 64, unit: "beats/min" }, context: "sedentary" },
      ],
    ]);
    expect(records.every((r) => r.kind === "heart_rate")).toBe(true);
  });

  it("keeps two samples of the same second from different devices apart", () => {
    const strap = edited(heartRateFixture, "dataPoints", (p) => {
      p.dataSource = { recordingMethod: "ACTIVELY_MEASURED", device: { formFactor: "CHEST_STRAP", manufacturer: "Polar" }, platform: "HEALTH_CONNECT" };
    });
    const watch = edited(heartRateFixture, "dataPoints", () => {});
    const { records } = normalizeFitbit("heart_rate", list(watch, strap));
    expect(records.map((r) => r.externalId)).toEqual([
      "2026-03-07T22:34:10.000Z|FITBIT/Google/Pixel Watch 3",
      "2026-03-07T22:34:10.000Z|HEALTH_CONNECT/Polar/CHEST_STRAP",
    ]);
  });

  it("uses the point's name as its id when Google sends one, and leaves out an unspecified motion context", () => {
    const named = edited(heartRateFixture, "dataPoints", (p) => {
      p.name = "users/abcd1234/dataTypes/heart-rate/dataPoints/hr-0001";
      p.heartRate.metadata.motionContext = "MOTION_CONTEXT_UNSPECIFIED";
    });
    const [record] = normalizeFitbit("heart_rate", list(named)).records;
    expect(record!.externalId).toBe("users/abcd1234/dataTypes/heart-rate/dataPoints/hr-0001");
    expect(dataOf(record)).not.toHaveProperty("context");
  });

  it("reads an RFC 3339 time with an offset and nanoseconds as the same instant", () => {
    const offset = edited(heartRateFixture, "dataPoints", (p) => (p.heartRate.sampleTime.physicalTime = "2026-03-07T17:34:10.123456789-05:00"));
    const [record] = normalizeFitbit("heart_rate", list(offset)).records;
    expect(record!.startTime).toBe(Date.UTC(2026, 2, 7, 22, 34, 10, 123));
    expect(record!.externalId).toBe("2026-03-07T22:34:10.123Z|FITBIT/Google/Pixel Watch 3");
  });

  it("skips samples with no time, an impossible time, or a missing, zero or non-integer bpm", () => {
    const bad = [
      edited(heartRateFixture, "dataPoints", (p) => delete p.heartRate.sampleTime),
      edited(heartRateFixture, "dataPoints", (p) => (p.heartRate.sampleTime.physicalTime = "2026-02-30T10:00:00Z")),
      edited(heartRateFixture, "dataPoints", (p) => delete p.heartRate.beatsPerMinute),
      edited(heartRateFixture, "dataPoints", (p) => (p.heartRate.beatsPerMinute = "0")),
      edited(heartRateFixture, "dataPoints", (p) => (p.heartRate.beatsPerMinute = "71.5")),
      edited(heartRateFixture, "dataPoints", (p) => delete p.heartRate),
    ];
    const { records, skipped } = normalizeFitbit("heart_rate", list(...bad));
    expect(records).toEqual([]);
    expect(skipped).toEqual([
      { externalId: null, reason: "heart_rate: sampleTime.physicalTime is missing or not RFC 3339" },
      { externalId: null, reason: "heart_rate: sampleTime.physicalTime is missing or not RFC 3339" },
      { externalId: "2026-03-07T22:34:10.000Z|FITBIT/Google/Pixel Watch 3", reason: "heart_rate: beatsPerMinute is missing or not a positive integer" },
      { externalId: "2026-03-07T22:34:10.000Z|FITBIT/Google/Pixel Watch 3", reason: "heart_rate: beatsPerMinute is missing or not a positive integer" },
      { externalId: "2026-03-07T22:34:10.000Z|FITBIT/Google/Pixel Watch 3", reason: "heart_rate: beatsPerMinute is missing or not a positive integer" },
      { externalId: null, reason: "heart_rate: data point has no heartRate" },
    ]);
  });

  it("skips the points of another data type in Google's published list response (exercise, codelab)", () => {
    const { records, skipped } = normalizeFitbit("heart_rate", exerciseFixture);
    expect(records).toEqual([]);
    expect(skipped).toEqual([{ externalId: exerciseFixture.dataPoints[0]!.name, reason: "heart_rate: data point has no heartRate" }]);
  });
});

describe("normalizeFitbit: daily resting heart rate (list, schema-derived)", () => {
  it("turns each day's value into resting heart rate, the google.type.Date as YYYY-MM-DD", () => {
    const { records, skipped } = normalizeFitbit("daily_resting_heart_rate", restingFixture);
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.kind, r.externalId, r.startTime, r.endTime, dataOf(r)])).toEqual([
      ["resting_heart_rate", "2026-03-07", Date.UTC(2026, 2, 7), Date.UTC(2026, 2, 8), { date: "2026-03-07", heart_rate: { value: 58, unit: "beats/min" } }],
      ["resting_heart_rate", "2026-03-06", Date.UTC(2026, 2, 6), Date.UTC(2026, 2, 7), { date: "2026-03-06", heart_rate: { value: 61, unit: "beats/min" } }],
    ]);
  });

  it("skips impossible dates and missing values", () => {
    const bad = [
      edited(restingFixture, "dataPoints", (p) => (p.dailyRestingHeartRate.date = { year: 2026, month: 2, day: 30 })),
      edited(restingFixture, "dataPoints", (p) => delete p.dailyRestingHeartRate.beatsPerMinute),
    ];
    expect(normalizeFitbit("daily_resting_heart_rate", list(...bad)).skipped).toEqual([
      { externalId: null, reason: "daily_resting_heart_rate: date is missing or not a full date" },
      { externalId: "2026-03-07", reason: "daily_resting_heart_rate: beatsPerMinute is missing or not a positive integer" },
    ]);
  });
});

describe("normalizeFitbit: sleep (list, schema-derived)", () => {
  const [nap, night] = normalizeFitbit("sleep", sleepFixture).records;

  it("turns a staged night into a sleep session with minutes as seconds and the data point name as id", () => {
    expect(night!.kind).toBe("sleep_session");
    expect(night!.externalId).toBe("users/abcd1234/dataTypes/sleep/dataPoints/a1b2c3d4-e5f6-7890-1234-567890abcdef");
    expect(night!.startTime).toBe(Date.UTC(2026, 2, 7, 4, 12));
    expect(night!.endTime).toBe(Date.UTC(2026, 2, 7, 11, 48));
    expect(dataOf(night)).toEqual({
      effective_time_frame: { time_interval: { start_date_time: "2026-03-07T04:12:00.000Z", end_date_time: "2026-03-07T11:48:00.000Z" } },
      total_sleep_time: { value: 423 * 60, unit: "s" },
      time_in_bed: { value: 456 * 60, unit: "s" },
      sleep_stages: {
        awake: { value: 33 * 60, unit: "s" },
        light: { value: 241 * 60, unit: "s" },
        deep: { value: 80 * 60, unit: "s" },
        rem: { value: 102 * 60, unit: "s" },
      },
      latency_to_sleep_onset: { value: 6 * 60, unit: "s" },
    });
    expect(night!.raw).toEqual(sleepFixture.dataPoints[1]);
  });

  it("marks a nap as not the main sleep and keeps only the stages the contract has (CLASSIC ASLEEP/RESTLESS have none)", () => {
    expect(nap!.externalId).toBe("users/abcd1234/dataTypes/sleep/dataPoints/5e0c1f0a-8a3b-4c2d-9e7f-1b2c3d4e5f60");
    expect(dataOf(nap)).toMatchObject({
      total_sleep_time: { value: 30 * 60, unit: "s" },
      time_in_bed: { value: 36 * 60, unit: "s" },
      sleep_stages: { awake: { value: 3 * 60, unit: "s" } },
      is_main_sleep: false,
    });
    expect(dataOf(nap)).not.toHaveProperty("latency_to_sleep_onset");
  });

  it("falls back to metadata.externalId, then to the interval start, for an id", () => {
    const fromSource = edited(sleepFixture, "dataPoints", (p) => {
      delete p.name;
      p.sleep.metadata.externalId = "34012984519";
    });
    const unnamed = edited(sleepFixture, "dataPoints", (p) => delete p.name);
    expect(normalizeFitbit("sleep", list(fromSource, unnamed)).records.map((r) => r.externalId)).toEqual(["34012984519", "2026-03-07T19:05:00.000Z"]);
  });

  it("skips a sleep that is not processed yet, has no minutes asleep, an invalid stage or a backwards interval", () => {
    const bad = [
      edited(sleepFixture, "dataPoints", (p) => delete p.sleep.summary),
      edited(sleepFixture, "dataPoints", (p) => delete p.sleep.summary.minutesAsleep),
      edited(sleepFixture, "dataPoints", (p) => (p.sleep.summary.stagesSummary[0].minutes = "-3")),
      edited(sleepFixture, "dataPoints", (p) => (p.sleep.interval.endTime = "2026-03-07T04:00:00Z"), 1),
    ];
    const { records, skipped } = normalizeFitbit("sleep", list(...bad));
    expect(records).toEqual([]);
    const napId = sleepFixture.dataPoints[0]!.name;
    expect(skipped).toEqual([
      { externalId: napId, reason: "sleep: no summary (the sleep is not processed yet)" },
      { externalId: napId, reason: "sleep: summary.minutesAsleep is missing or invalid" },
      { externalId: napId, reason: "sleep: summary has an invalid minutes value" },
      { externalId: sleepFixture.dataPoints[1]!.name, reason: "sleep: interval start/end are missing, not RFC 3339, or out of order" },
    ]);
  });
});

describe("normalizeFitbit: exercise (list, Google's codelab response)", () => {
  it("turns a session into a workout keyed by its data point name, kcal as given and millimetres as metres", () => {
    const { records, skipped } = normalizeFitbit("exercise", exerciseFixture);
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "workout",
        externalId: "users/2515055256096816351/dataTypes/exercise/dataPoints/8896720705097069096",
        startTime: Date.parse("2026-02-23T13:10:00Z"),
        endTime: Date.parse("2026-02-23T13:25:00Z"),
        data: {
          effective_time_frame: { time_interval: { start_date_time: "2026-02-23T13:10:00.000Z", end_date_time: "2026-02-23T13:25:00.000Z" } },
          activity_name: "Walk",
          kcal_burned: { value: 16, unit: "kcal" },
          // The codelab's `distanceMillimiters` typo is read as the discovery document's `distanceMillimeters`.
          distance: { value: 1609.344, unit: "m" },
        },
        raw: exerciseFixture.dataPoints[0],
      },
    ]);
  });

  it("reads the average heart rate (an int64 string), names an untitled session by its type, and leaves out what is absent", () => {
    const point = edited(exerciseFixture, "dataPoints", (item) => {
      delete item.exercise.displayName;
      item.exercise.exerciseType = "HIGH_INTENSITY_INTERVAL_TRAINING";
      item.exercise.metricsSummary = { distanceMillimeters: 5000, averageHeartRateBeatsPerMinute: "151" };
    });
    const [record] = normalizeFitbit("exercise", list(point)).records;
    expect(dataOf(record)).toMatchObject({
      activity_name: "high intensity interval training",
      distance: { value: 5, unit: "m" },
      heart_rate_average: { value: 151, unit: "beats/min" },
    });
    expect(dataOf(record)).not.toHaveProperty("kcal_burned");
  });

  it("skips a session with a backwards interval, no times, or nothing that says what it was", () => {
    const backwards = edited(exerciseFixture, "dataPoints", (item) => {
      item.exercise.interval.endTime = "2026-02-23T13:00:00Z";
    });
    const untimed = edited(exerciseFixture, "dataPoints", (item) => {
      delete item.exercise.interval;
    });
    const unnamed = edited(exerciseFixture, "dataPoints", (item) => {
      delete item.exercise.displayName;
      item.exercise.exerciseType = "EXERCISE_TYPE_UNSPECIFIED";
    });
    const { records, skipped } = normalizeFitbit("exercise", list(backwards, untimed, unnamed, { heartRate: {} }));
    expect(records).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual([
      "exercise: interval start/end are missing, not RFC 3339, or out of order",
      "exercise: interval start/end are missing, not RFC 3339, or out of order",
      "exercise: neither displayName nor exerciseType says what it was",
      "exercise: data point has no exercise",
    ]);
  });
});

describe("normalizeFitbit: weight (list, schema-derived)", () => {
  it("turns each weigh-in into body weight in kilograms, keyed by its instant and data source", () => {
    const { records, skipped } = normalizeFitbit("weight", weightFixture);
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.kind, r.externalId, r.startTime, r.endTime, r.data])).toEqual([
      [
        "body_weight",
        "2026-03-08T13:05:00.000Z|FITBIT",
        Date.parse("2026-03-08T13:05:00Z"),
        null,
        { effective_time_frame: { date_time: "2026-03-08T13:05:00.000Z" }, body_weight: { value: 81.4005, unit: "kg" } },
      ],
      [
        "body_weight",
        "2026-03-07T12:41:17.000Z|FITBIT/Fitbit/Aria Air",
        Date.parse("2026-03-07T12:41:17Z"),
        null,
        { effective_time_frame: { date_time: "2026-03-07T12:41:17.000Z" }, body_weight: { value: 80.95, unit: "kg" } },
      ],
    ]);
  });

  it("skips a weigh-in with no time, or a weight that is absent, zero, negative or a string", () => {
    const points = [undefined, 0, -70_000, "80000"].map((grams) =>
      edited(weightFixture, "dataPoints", (item) => {
        item.weight.weightGrams = grams;
      }),
    );
    const untimed = edited(weightFixture, "dataPoints", (item) => {
      delete item.weight.sampleTime;
    });
    const { records, skipped } = normalizeFitbit("weight", list(...points, untimed));
    expect(records).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual([
      ...points.map(() => "weight: weightGrams is missing or not a positive number"),
      "weight: sampleTime.physicalTime is missing or not RFC 3339",
    ]);
  });
});

describe("normalizeFitbit: envelopes", () => {
  it.each<[FitbitKind, unknown]>([
    ["heart_rate", null],
    ["heart_rate", [heartRateFixture.dataPoints[0]]],
    ["sleep", { dataPoints: "none" }],
    ["daily_resting_heart_rate", "<html>"],
    ["steps", { rollupDataPoints: {} }],
    ["steps", undefined],
  ])("rejects a %s page that is not the documented response: %j", (kind, body) => {
    expect(() => normalizeFitbit(kind, body)).toThrow(MalformedPayloadError);
  });

  it("reads a response with no points (proto3 leaves an empty list out) as empty", () => {
    expect(normalizeFitbit("heart_rate", { nextPageToken: "" })).toEqual({ records: [], skipped: [] });
    expect(normalizeFitbit("steps", {})).toEqual({ records: [], skipped: [] });
  });

  it("rejects a kind it does not know", () => {
    expect(() => normalizeFitbit("blood_pressure" as FitbitKind, list())).toThrow(MalformedPayloadError);
  });
});

describe("int64 and timestamp parsing", () => {
  it("reads int64 strings (and plain numbers) exactly, and nothing else", () => {
    expect(int64("112")).toBe(112);
    expect(int64("-18000")).toBe(-18000);
    expect(int64(42)).toBe(42);
    expect(int64("9007199254740993")).toBeNull();
    expect(int64("1e3")).toBeNull();
    expect(int64(" 12")).toBeNull();
    expect(int64("")).toBeNull();
    expect(int64(1.5)).toBeNull();
    expect(int64(null)).toBeNull();
  });

  it("reads RFC 3339 only, with an offset, and refuses times that do not exist", () => {
    expect(timestamp("2026-03-08T01:34:00Z")).toBe(Date.UTC(2026, 2, 8, 1, 34));
    expect(timestamp("2026-03-08T01:34:00.5+01:00")).toBe(Date.UTC(2026, 2, 8, 0, 34, 0, 500));
    expect(timestamp("2026-03-0B01:29:00Z")).toBeNull();
    expect(timestamp("2026-03-08T01:34:00")).toBeNull();
    expect(timestamp("2026-03-08T24:00:00Z")).toBeNull();
    expect(timestamp("2026-02-29T00:00:00Z")).toBeNull();
    expect(timestamp(1772933640000)).toBeNull();
  });
});
