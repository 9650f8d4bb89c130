import { describe, expect, it, vi } from "vitest";
import { mgdlToMmoll, mmollToMgdl } from "../../src/domain/units";
import { GlucoseLive, READING_INTERVAL_MS } from "../../views/glucose";
import {
  DELAY,
  type DexcomRecord,
  dueAfter,
  gapsIn,
  HOUR,
  heldReadings,
  MINUTE,
  objectState,
  runNextAlarm,
  storedGlucose,
  streamingPerson,
  timeOf,
  useStreamClock,
} from "./harness";

useStreamClock();

describe("Dexcom live stream: High, Low, missing values, unknown units and trends", () => {
  it("maps what the normalizer can, skips the rest with a reason, and the alarm carries on", async () => {
    const person = await streamingPerson("values");
    const { latest, egvs } = await person.truth();
    const original = await egvs(latest - 10 * READING_INTERVAL_MS, latest + 1000);
    expect(gapsIn(original), "this sandbox person has every reading of the last hour").toEqual([]);
    const at = (readingsBack: number) => latest - readingsBack * READING_INTERVAL_MS;
    const changes = new Map<number, (record: DexcomRecord) => DexcomRecord>([
      // The receiver shows "HIGH" / "LOW": status set, no value.
      [at(0), (record) => ({ ...record, value: null, status: "high", trend: "none", trendRate: null })],
      [at(1), (record) => ({ ...record, value: null, status: "low", trend: "notComputable", trendRate: null })],
      // A value beyond the sensor's range.
      [at(2), (record) => ({ ...record, value: 500 })],
      [at(3), (record) => ({ ...record, value: 38, trend: "rateOutOfRange" })],
      // No value and no status: nothing to show.
      [at(4), (record) => ({ ...record, value: null, status: null })],
      [at(5), (record) => ({ ...record, unit: "mmol/L", value: 7.2, rateUnit: "mmol/L/min", trendRate: 0.05 })],
      [at(6), (record) => ({ ...record, unit: "unknown" })],
      [at(7), (record) => ({ ...record, trend: "sideways" })],
      [at(8), (record) => ({ ...record, systemTime: "yesterday" })],
      [at(9), ({ recordId: _recordId, ...record }) => record],
    ]);
    person.upstream.rewriteEgvs = (records) => records.map((record) => changes.get(timeOf(record))?.(record) ?? record);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});

    await runNextAlarm(person.stub);
    const state = await objectState(person.stub);
    expect(state.stream.failures).toBe("0");
    expect(state.alarm).toBe(dueAfter(latest));
    const byTime = new Map(state.readings.map((row) => [row.system_time, row]));
    const valueAt = (k: number) => original.find((record) => timeOf(record) === at(k))!;
    expect(byTime.get(at(0))).toMatchObject({ mgdl: 400, status: "high", trend: "none" });
    expect(byTime.get(at(1))).toMatchObject({ mgdl: 40, status: "low", trend: "notComputable" });
    expect(byTime.get(at(2))).toMatchObject({ mgdl: 400, status: "high", trend: valueAt(2).trend });
    expect(byTime.get(at(3))).toMatchObject({ mgdl: 40, status: "low", trend: "rateOutOfRange" });
    expect(byTime.has(at(4))).toBe(false);
    expect(byTime.get(at(5))).toMatchObject({ mgdl: mmollToMgdl(7.2), status: "ok" });
    expect(byTime.has(at(6))).toBe(false);
    expect(byTime.get(at(7))).toMatchObject({ mgdl: valueAt(7).value, trend: "unknown" });
    expect(byTime.has(at(8))).toBe(false);
    expect(byTime.has(at(9))).toBe(false);

    const rows = new Map((await storedGlucose(person.userId)).map((row) => [row.time, row.data]));
    expect(rows.get(at(0))).toMatchObject({
      blood_glucose: { value: 400, unit: "mg/dL" },
      blood_glucose_molar: { value: mgdlToMmoll(400), unit: "mmol/L" },
      status: "high",
    });
    expect(rows.get(at(1))).toMatchObject({ blood_glucose: { value: 40, unit: "mg/dL" }, status: "low" });
    expect(rows.get(at(5))).toMatchObject({
      blood_glucose: { value: 130, unit: "mg/dL" },
      blood_glucose_molar: { value: 7.2, unit: "mmol/L" },
      trend_rate: { value: 0.9, unit: "mg/dL/min" },
    });
    expect([at(4), at(6), at(8), at(9)].filter((t) => rows.has(t))).toEqual([]);

    // Skipped with the reason, never silently.
    const skipped = warn.mock.calls.map(([line]) => JSON.parse(String(line))).filter((entry) => entry.event === "dexcom_stream_skipped");
    expect(skipped).toHaveLength(1);
    expect(skipped[0].count).toBe(4);
    expect(skipped[0].reasons).toEqual(
      expect.arrayContaining([
        "dexcom egvs: no value",
        'dexcom egvs: unit "unknown" is neither mg/dL nor mmol/L',
        'dexcom egvs: systemTime "yesterday" is not a date-time',
        expect.stringMatching(/^dexcom egvs: recordId /),
      ]),
    );

    // The card shows a High as the sensor's limit, not as a number the person could take literally.
    const html = String(GlucoseLive({ points: await heldReadings(person.stub, latest - 3 * HOUR), now: Date.now(), delayMs: DELAY }));
    expect(html).toContain('<span class="value">above 400</span>');
    expect(html).toContain("glucose-high");
  });

  it("backs off, without crashing, when a whole page is not Dexcom's envelope", async () => {
    const person = await streamingPerson("not-an-envelope");
    person.upstream.failNext(() => Response.json({ recordType: "egv", recordVersion: "2.0", records: "not a list" }), "egvs");
    const ranAt = await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + 5 * MINUTE, readings: [], stream: { enabled: "1", failures: "1" } });
    await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).readings.length).toBeGreaterThan(280);
  });
});
