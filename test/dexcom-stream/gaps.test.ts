import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { READING_INTERVAL_MS } from "../../views/glucose";
import {
  DELAY,
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

describe("Dexcom live stream: gaps", () => {
  it("fills an hour Dexcom had nothing for on the first look after it arrives", async () => {
    const person = await streamingPerson("gap-outage");
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    person.upstream.take();

    // The phone was out of reach for an hour: nothing new reaches Dexcom. Every look is one dataRange request.
    person.upstream.hide = (kind, t) => kind === "egvs" && t > latest;
    let ranAt = 0;
    for (let look = 0; look < 12; look++) ranAt = await runNextAlarm(person.stub);
    expect(ranAt).toBe(dueAfter(latest) + 11 * READING_INTERVAL_MS);
    expect(person.upstream.take().map((request) => request.path)).toEqual(Array(12).fill("dataRange"));

    // It uploads the hour at once: the next look fills it.
    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    const truth = await person.truth();
    expect(truth.latest - latest).toBeGreaterThanOrEqual(HOUR);
    const hour = await truth.egvs(latest + 1000, truth.latest + 1000);
    expect(hour.length).toBeGreaterThanOrEqual(12);
    const readings = await heldReadings(person.stub, latest + 1);
    expect(readings.map((point) => point.time)).toEqual(hour.map(timeOf));
    const rows = await storedGlucose(person.userId);
    expect(rows.filter((row) => row.time > latest).map((row) => row.id)).toEqual(hour.map((record) => record.recordId));
    expect((await objectState(person.stub)).alarm).toBe(dueAfter(truth.latest));
  });

  it("fills a gap that Dexcom receives after newer readings (a late backfill)", async () => {
    const person = await streamingPerson("gap-backfill");
    await runNextAlarm(person.stub);
    // Two hours on, Dexcom has the newest readings but an hour before them is still missing.
    setClock(T0 + 2 * HOUR);
    const { latest } = await person.truth();
    const gap = { from: latest - 70 * MINUTE, to: latest - 10 * MINUTE };
    person.upstream.hide = (kind, t) => kind === "egvs" && t >= gap.from && t < gap.to;
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    // Only the three readings after the gap arrived.
    expect(await heldReadings(person.stub, gap.from)).toHaveLength(3);

    // The backfill lands on the next look.
    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    const truth = await person.truth();
    const since = await truth.egvs(gap.from, truth.latest + 1000);
    expect((await heldReadings(person.stub, gap.from)).map((point) => point.time)).toEqual(since.map(timeOf));
    const rows = await storedGlucose(person.userId);
    expect(rows.filter((row) => row.time >= gap.from).map((row) => row.id)).toEqual(since.map((record) => record.recordId));
  });

  it("re-reads a hole Dexcom never fills only while it is in the last three hours", async () => {
    // This sandbox person's sensor lost signal for 15 minutes two hours before the newest reading.
    const person = await streamingPerson("signal-gap", { subject: "sbx-stream-overlap" });
    const first = await person.truth();
    const [hole] = gapsIn(await first.egvs(first.latest - 3 * HOUR, first.latest + 1000));
    expect(hole).toBeDefined();
    await runNextAlarm(person.stub);
    person.upstream.take();
    // Each new reading brings a re-read from just before the hole, not the whole day.
    await runNextAlarm(person.stub);
    expect(person.upstream.take().find((request) => request.path === "egvs")?.start).toBe(hole);
    // Hours on, the hole has left the window: back to the half-hour overlap.
    setClock(hole! + 4 * HOUR + DELAY);
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    person.upstream.take();
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    expect(person.upstream.take().find((request) => request.path === "egvs")?.start).toBe(latest - READING_INTERVAL_MS - 30 * MINUTE);
  });
});
