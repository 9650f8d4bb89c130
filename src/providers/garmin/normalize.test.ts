import { describe, expect, it } from "vitest";
import { MalformedPayloadError, type NormalizedRecord } from "../../domain/records";
import dtuPushDailies from "./fixtures/dtu-push-dailies.json";
import dtuPushEpochs from "./fixtures/dtu-push-epochs.json";
import dtuPushSleeps from "./fixtures/dtu-push-sleeps.json";
import specDailies from "./fixtures/health-api-dailies.json";
import specEpochs from "./fixtures/health-api-epochs.json";
import specPushEpochs from "./fixtures/health-api-push-epochs.json";
import specSleeps from "./fixtures/health-api-sleeps.json";
import { type GarminKind, normalizeGarmin } from "./normalize";

const byKind = (records: NormalizedRecord[], kind: NormalizedRecord["kind"]) => records.filter((record) => record.kind === kind);
const one = (records: NormalizedRecord[], kind: NormalizedRecord["kind"], externalId: string) => {
  const found = records.filter((record) => record.kind === kind && record.externalId === externalId);
  expect(found, `${kind} ${externalId}`).toHaveLength(1);
  return found[0]!;
};

describe("normalizeGarmin dailies", () => {
  it("maps the Health API 1.2.2 daily example (pull shape): steps, energy, intensity time, distance, resting heart rate", () => {
    const { records, skipped } = normalizeGarmin("dailies", specDailies);
    expect(skipped).toEqual([]);
    expect(byKind(records, "daily_activity")).toHaveLength(2);

    // summaryId is an opaque id: kept exactly as Garmin sent it, leading space included.
    const first = one(records, "daily_activity", " EXAMPLE_67891");
    expect(first.startTime).toBe(1452470400 * 1000);
    expect(first.endTime).toBe((1452470400 + 86400) * 1000);
    expect(first.data).toEqual({
      date: "2016-01-11",
      step_count: { value: 4210, unit: "steps" },
      active_energy_burned: { value: 321, unit: "kcal" },
      // activeKilocalories 321 + bmrKilocalories 1731
      total_energy_burned: { value: 2052, unit: "kcal" },
      // (moderate 81870 s + vigorous 4530 s) / 60
      active_minutes: { value: 1440, unit: "min" },
      distance: { value: 3146.5, unit: "m" },
      heart_rate_min: { value: 59, unit: "beats/min" },
      heart_rate_average: { value: 64, unit: "beats/min" },
      heart_rate_max: { value: 112, unit: "beats/min" },
    });

    // The second example has no calendarDate: its day is the local date of 1452556800 + 3600 s, 2016-01-12.
    const second = one(records, "daily_activity", " EXAMPLE_67892");
    expect(second.data).toMatchObject({
      date: "2016-01-12",
      step_count: { value: 3305, unit: "steps" },
      total_energy_burned: { value: 304 + 1225, unit: "kcal" },
    });

    // Only the second example reports restingHeartRateInBeatsPerMinute.
    const resting = byKind(records, "resting_heart_rate");
    expect(resting).toHaveLength(1);
    expect(resting[0]).toMatchObject({
      externalId: " EXAMPLE_67892",
      startTime: 1452556800 * 1000,
      data: { date: "2016-01-12", heart_rate: { value: 64, unit: "beats/min" } },
    });
  });

  it("accepts the push shape and keeps the summary as raw, without the OAuth 1.0a userAccessToken", () => {
    const { records, skipped } = normalizeGarmin("dailies", dtuPushDailies);
    expect(skipped).toEqual([]);
    const daily = one(records, "daily_activity", " EXAMPLE_67891");
    expect(daily.data).toMatchObject({ date: "2016-01-11", step_count: { value: 4210, unit: "steps" } });
    expect(daily.raw).toMatchObject({ userId: "4aacafe82427c251df9c9592d0c06768", summaryId: " EXAMPLE_67891", consumedCalories: 1121 });
    expect(daily.raw).not.toHaveProperty("userAccessToken");
    expect(JSON.stringify(records)).not.toContain("8f57a6f1-26ba-4b05-a7cd-c6b525a4c7a2");
  });

  it("skips dailies missing what a record needs, with a reason, and keeps the rest of the page", () => {
    const valid = specDailies[0]!;
    const { calendarDate: _date, startTimeOffsetInSeconds: _offset, ...undatable } = valid;
    const { records, skipped } = normalizeGarmin("dailies", [
      valid,
      "not a summary",
      { ...valid, summaryId: undefined },
      { ...valid, summaryId: "no-start", startTimeInSeconds: "1452470400" },
      { ...undatable, summaryId: "no-date" },
      { ...valid, summaryId: "bad-steps", steps: -5 },
      { ...valid, summaryId: "bad-resting", restingHeartRateInBeatsPerMinute: 0 },
    ]);
    expect(records.filter((r) => r.kind !== "heart_rate").map((record) => `${record.kind}:${record.externalId}`)).toEqual([
      "daily_activity: EXAMPLE_67891",
      "daily_activity:bad-resting",
    ]);
    expect(skipped).toEqual([
      { externalId: null, reason: "dailies: summary is not an object" },
      { externalId: null, reason: "dailies: missing summaryId" },
      { externalId: "no-start", reason: "dailies: missing or invalid startTimeInSeconds" },
      { externalId: "no-date", reason: "dailies: missing calendarDate (and no startTimeOffsetInSeconds to derive it)" },
      { externalId: "bad-steps", reason: "dailies: missing or negative steps" },
      { externalId: "bad-resting", reason: "dailies: restingHeartRateInBeatsPerMinute is not a positive number" },
    ]);
  });
});

describe("normalizeGarmin sleeps", () => {
  it("maps the Health API 1.2.2 sleep examples: session times in the watch's offset, stages, score, OFF_WRIST", () => {
    const { records, skipped } = normalizeGarmin("sleeps", specSleeps);
    expect(byKind(records, "sleep_session")).toHaveLength(3);

    const first = one(records, "sleep_session", "EXAMPLE_567890");
    expect(first.startTime).toBe(1452419581 * 1000);
    expect(first.endTime).toBe((1452419581 + 15264) * 1000);
    expect(first.data).toEqual({
      // startTimeOffsetInSeconds 7200: the watch showed UTC+2.
      effective_time_frame: { time_interval: { start_date_time: "2016-01-10T11:53:01+02:00", end_date_time: "2016-01-10T16:07:25+02:00" } },
      // deep 11231 + light 3541 + REM 0; awake time is not sleep.
      total_sleep_time: { value: 14772, unit: "s" },
      sleep_stages: { deep: { value: 11231, unit: "s" }, light: { value: 3541, unit: "s" }, rem: { value: 0, unit: "s" }, awake: { value: 492, unit: "s" } },
    });

    const scored = one(records, "sleep_session", "EXAMPLE_567891");
    expect(scored.data).toMatchObject({
      effective_time_frame: { time_interval: { start_date_time: "2016-01-11T01:11:33+02:00", end_date_time: "2016-01-11T04:29:53+02:00" } },
      total_sleep_time: { value: 9446 + 0 + 2142, unit: "s" },
      score: 87,
    });

    // OFF_WRIST: no stages were measured, only the window; its length is the only duration there is.
    const offWrist = one(records, "sleep_session", "x-EXAMPLE");
    expect(offWrist.data).toEqual({
      effective_time_frame: { time_interval: { start_date_time: "2021-01-28T22:31:00+09:00", end_date_time: "2021-01-29T06:22:00+09:00" } },
      total_sleep_time: { value: 28260, unit: "s" },
    });

    // The scored example has no calendarDate: Garmin files a night under the day the person woke, the local date
    // of its end: 1452467493 + 11900 s + 7200 s offset is 04:29:53 on 2016-01-11.
    expect(byKind(records, "daily_sleep")).toEqual([expect.objectContaining({ externalId: "EXAMPLE_567891", data: { date: "2016-01-11", score: 87 } })]);
    expect(skipped).toEqual([]);
  });

  it("records a daily sleep score when the scored night has a calendarDate", () => {
    const scored = { ...specSleeps[1]!, calendarDate: "2016-01-11" };
    const { records, skipped } = normalizeGarmin("sleeps", { sleeps: [scored] });
    expect(skipped).toEqual([]);
    expect(one(records, "daily_sleep", "EXAMPLE_567891")).toMatchObject({ startTime: 1452467493 * 1000, data: { date: "2016-01-11", score: 87 } });
  });

  it("accepts the push shape, dropping userAccessToken from raw", () => {
    const { records } = normalizeGarmin("sleeps", dtuPushSleeps);
    expect(byKind(records, "sleep_session").map((record) => record.externalId)).toEqual(["EXAMPLE_567890", "EXAMPLE_567891"]);
    for (const record of records) expect(record.raw).not.toHaveProperty("userAccessToken");
  });

  it("skips sleeps with missing or impossible values, with a reason", () => {
    const valid = specSleeps[0]!;
    const { records, skipped } = normalizeGarmin("sleeps", [
      { ...valid, summaryId: "" },
      { ...valid, summaryId: "no-start", startTimeInSeconds: null },
      { ...valid, summaryId: "no-duration", durationInSeconds: undefined },
      { ...valid, summaryId: "negative-stage", deepSleepDurationInSeconds: -1 },
      { ...valid, summaryId: "millis", startTimeInSeconds: 1452419581000 * 1000 },
      { ...valid, summaryId: "endless", durationInSeconds: 1e300 },
      { ...valid, summaryId: "score-out-of-range", overallSleepScore: { value: 140, qualifierKey: "GOOD" } },
    ]);
    // A score outside 0–100 is dropped, not clamped: the session stays, the score does not.
    expect(records.map((record) => `${record.kind}:${record.externalId}`)).toEqual(["sleep_session:score-out-of-range"]);
    expect(records[0]!.data).not.toHaveProperty("score");
    expect(skipped).toEqual([
      { externalId: null, reason: "sleeps: missing summaryId" },
      { externalId: "no-start", reason: "sleeps: missing or invalid startTimeInSeconds" },
      { externalId: "no-duration", reason: "sleeps: missing or negative durationInSeconds" },
      { externalId: "negative-stage", reason: "sleeps: negative sleep stage duration" },
      { externalId: "millis", reason: "sleeps: missing or invalid startTimeInSeconds" },
      { externalId: "endless", reason: expect.stringMatching(/^sleep_session: effective_time_frame\.time_interval\.end_date_time /) },
      { externalId: "score-out-of-range", reason: "sleeps: overallSleepScore.value is outside 0–100" },
    ]);
  });
});

describe("normalizeGarmin epochs", () => {
  it("skips the documented epochs (steps and energy per 15 minutes, no heart rate), saying why", () => {
    for (const body of [specEpochs, dtuPushEpochs]) {
      const { records, skipped } = normalizeGarmin("epochs", body);
      expect(records).toEqual([]);
      expect(skipped.map((item) => item.externalId)).toEqual(["EXAMPLE_1234", "EXAMPLE_5678"]);
      for (const item of skipped) expect(item.reason).toBe("epochs: 15-minute activity epoch carries no heart rate; steps and energy per epoch are not stored");
    }
  });

  it('skips the published push example, whose start time key is misspelled ("startTimeInSeconds ")', () => {
    expect(normalizeGarmin("epochs", specPushEpochs)).toEqual({
      records: [],
      skipped: [{ externalId: "x153a9f3-5a9478d4-6", reason: "epochs: missing or invalid startTimeInSeconds" }],
    });
  });

  it("turns an epoch that does carry meanHeartRateInBeatsPerMinute into one heart-rate sample at its start", () => {
    // Not a documented field: this proves the mapping the adapter would apply if Garmin sent it.
    const withHeartRate = { ...specEpochs[1]!, meanHeartRateInBeatsPerMinute: 142 };
    const { records, skipped } = normalizeGarmin("epochs", [withHeartRate]);
    expect(skipped).toEqual([]);
    expect(records).toEqual([
      {
        kind: "heart_rate",
        externalId: "EXAMPLE_5678",
        startTime: 1454418900 * 1000,
        endTime: (1454418900 + 900) * 1000,
        data: { effective_time_frame: { date_time: "2016-02-02T14:15:00+01:00" }, heart_rate: { value: 142, unit: "beats/min" } },
        raw: withHeartRate,
      },
    ]);
  });
});

describe("normalizeGarmin envelopes", () => {
  const malformed: [GarminKind, unknown][] = [
    ["dailies", { sleeps: specSleeps }],
    ["dailies", { dailies: specDailies[0] }],
    ["sleeps", "[]"],
    ["epochs", null],
    ["epochs", 42],
  ];
  for (const [kind, body] of malformed) {
    it(`rejects ${JSON.stringify(body)?.slice(0, 40)} as ${kind}`, () => {
      expect(() => normalizeGarmin(kind, body)).toThrow(MalformedPayloadError);
    });
  }

  it("rejects a kind this adapter does not sync (the webhook consumer passes any string)", () => {
    expect(() => normalizeGarmin("hrv" as GarminKind, [])).toThrow(MalformedPayloadError);
  });

  it("accepts empty pages of either shape", () => {
    expect(normalizeGarmin("sleeps", [])).toEqual({ records: [], skipped: [] });
    expect(normalizeGarmin("sleeps", { sleeps: [] })).toEqual({ records: [], skipped: [] });
  });
});

const bpmOf = (record: NormalizedRecord) => (record.data as { heart_rate: { value: number } }).heart_rate.value;

describe("normalizeGarmin heart rate from dailies", () => {
  it("keeps every 15-second sample of timeOffsetHeartRateSamples at its instant, and the day's min/avg/max", () => {
    const { records, skipped } = normalizeGarmin("dailies", specDailies);
    expect(skipped).toEqual([]);
    const samples = byKind(records, "heart_rate");
    const first = specDailies[0]!;
    const offsets = Object.entries(first.timeOffsetHeartRateSamples!);
    const firstSamples = samples.filter((r) => r.startTime >= first.startTimeInSeconds * 1000 && r.startTime < (first.startTimeInSeconds + 86_400) * 1000);
    expect(firstSamples.map((r) => [r.startTime, bpmOf(r)])).toEqual(offsets.map(([offset, bpm]) => [(first.startTimeInSeconds + Number(offset)) * 1000, bpm]));
    // Keyed by instant, in the watch's offset for reading (+01:00 here).
    expect(firstSamples[0]).toMatchObject({
      externalId: "hr:2016-01-11T00:00:15.000Z",
      data: { effective_time_frame: { date_time: "2016-01-11T01:00:15+01:00" } },
    });
    expect(new Set(samples.map((r) => r.externalId)).size).toBe(samples.length);
  });

  it("replaying the same daily writes the same sample keys (an updated day rewrites, never duplicates)", () => {
    const once = normalizeGarmin("dailies", specDailies).records.map((r) => r.externalId);
    const twice = normalizeGarmin("dailies", [...specDailies, ...specDailies]).records.map((r) => r.externalId);
    expect(new Set(twice)).toEqual(new Set(once));
  });

  it("skips a sample with an unusable offset or bpm, and keeps the rest", () => {
    const daily = { ...specDailies[0]!, timeOffsetHeartRateSamples: { "15": 70, "-30": 71, "45": 0, abc: 72, "60": 73 } };
    const { records, skipped } = normalizeGarmin("dailies", [daily]);
    expect(byKind(records, "heart_rate").map(bpmOf)).toEqual([70, 73]);
    expect(skipped.map((s) => s.externalId).sort()).toEqual([" EXAMPLE_67891@-30", " EXAMPLE_67891@45", " EXAMPLE_67891@abc"]);
  });
});
