import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RECENT_WINDOW_MS } from "../../src/providers/dexcom/live-stream";
import { READING_INTERVAL_MS } from "../../views/glucose";
import {
  connection,
  dueAfter,
  gapsIn,
  HOUR,
  heldReadings,
  MINUTE,
  objectState,
  runNextAlarm,
  setClock,
  storedGlucose,
  streamingPerson,
  T0,
  timeOf,
  useStreamClock,
} from "./harness";

useStreamClock();

describe("Dexcom live stream: later alarms", () => {
  it("with nothing new asks only dataRange, writes nothing, and looks again in five minutes", async () => {
    const person = await streamingPerson("nothing-new");
    const firstAt = await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    const before = await objectState(person.stub);
    const rowsBefore = await storedGlucose(person.userId);
    person.upstream.take();

    // Dexcom is late: the reading due after `latest` is not released when the alarm comes.
    person.upstream.hide = (kind, t) => kind === "egvs" && t > latest;
    const ranAt = await runNextAlarm(person.stub);
    expect(ranAt).toBe(dueAfter(latest));
    expect(person.upstream.take()).toEqual([{ path: "dataRange", start: null, end: null }]);
    const after = await objectState(person.stub);
    expect(after.readings).toEqual(before.readings);
    expect(await storedGlucose(person.userId)).toEqual(rowsBefore);
    // The moment has passed: poll on the reading cadence until it comes.
    expect(after.alarm).toBe(ranAt + READING_INTERVAL_MS);
    // A healthy stream tells D1 at most every half hour: this look, minutes after the first, leaves D1 alone.
    expect((await connection(person.userId)).lastSuccessAt).toBe(firstAt);
  });

  it("tells D1 of a healthy stream once every half hour, not on every five-minute look", async () => {
    const person = await streamingPerson("half-hourly");
    const firstAt = await runNextAlarm(person.stub);
    const looks: number[] = [];
    let recorded = firstAt;
    while (recorded === firstAt && looks.length < 12) {
      looks.push(await runNextAlarm(person.stub));
      recorded = (await connection(person.userId)).lastSuccessAt!;
    }
    // Every look before the half hour wrote nothing to D1; the first one at or past it did.
    expect(recorded).toBe(looks.at(-1));
    expect(looks.at(-1)! - firstAt).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(looks.at(-2)! - firstAt).toBeLessThan(30 * MINUTE);
  });

  it("re-reads half an hour of overlap, and readings that come again (or twice, or out of order) are stored once", async () => {
    const person = await streamingPerson("dedupe");
    const first = await person.truth();
    expect(gapsIn(await first.egvs(first.latest - 4 * HOUR, first.latest + 1000)), "this sandbox person has every reading of the last hours").toEqual([]);
    // One reading 15 minutes before the newest arrives late (out of order); the first look does not see it.
    const late = first.latest - 3 * READING_INTERVAL_MS;
    person.upstream.hide = (kind, t) => kind === "egvs" && t === late;
    await runNextAlarm(person.stub);
    const firstRows = await storedGlucose(person.userId);
    expect(firstRows.some((row) => row.time === late)).toBe(false);
    person.upstream.take();

    // Next look: the late reading is there now, the page comes shuffled and with every record twice.
    person.upstream.hide = () => false;
    person.upstream.rewriteEgvs = (records) => [...records, ...records].sort((a, b) => String(a.recordId).localeCompare(String(b.recordId)));
    const ranAt = await runNextAlarm(person.stub);
    const requests = person.upstream.take();
    const egvs = requests.filter((request) => request.path === "egvs");
    expect(egvs).toHaveLength(1);
    // From half an hour before the newest stored reading (the late one's hole is inside it): no refetch of the day.
    expect(egvs[0]!.start).toBe(first.latest - 30 * MINUTE);

    const truth = await person.truth();
    expect(truth.latest).toBe(first.latest + READING_INTERVAL_MS);
    const day = await truth.egvs(first.latest - RECENT_WINDOW_MS, truth.latest + 1000);
    const rows = await storedGlucose(person.userId);
    expect(rows.map((row) => row.id)).toEqual(day.map((record) => record.recordId));
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    // Readings from the first look that came again were not rewritten.
    const unchanged = rows.filter((row) => firstRows.some((old) => old.id === row.id));
    expect(unchanged.every((row) => row.updatedAt === T0)).toBe(true);
    expect(rows.filter((row) => row.updatedAt === ranAt).map((row) => row.time)).toEqual([late, truth.latest]);

    // The object keeps the day before its newest reading, in time order whatever order they arrived in.
    const kept = day.filter((record) => timeOf(record) >= truth.latest - RECENT_WINDOW_MS);
    const readings = await heldReadings(person.stub, 0);
    expect(readings.map((point) => point.time)).toEqual(kept.map(timeOf));
    expect(readings.find((point) => point.time === late)).toMatchObject({ mgdl: day.find((record) => timeOf(record) === late)!.value });
    expect((await objectState(person.stub)).readings).toHaveLength(kept.length);
  });

  it("keeps one day in the live window as it moves on; the record store keeps everything", async () => {
    const person = await streamingPerson("rolling-day");
    await runNextAlarm(person.stub);
    const first = await person.truth();
    // Two hours later, one look catches up.
    setClock(T0 + 2 * HOUR);
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    const truth = await person.truth();
    const state = await objectState(person.stub);
    expect(state.readings[0]!.system_time).toBeGreaterThanOrEqual(truth.latest - RECENT_WINDOW_MS);
    expect(state.readings.at(-1)!.system_time).toBe(truth.latest);
    const rows = await storedGlucose(person.userId);
    expect(rows[0]!.time).toBe(timeOf((await truth.egvs(first.latest - RECENT_WINDOW_MS, first.latest + 1000))[0]!));
    expect(rows.length).toBeGreaterThan(state.readings.length);
  });
});
