import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import type { UserHub } from "../../durable-objects/user-hub";
import type { DaySummary } from "../../src/days/picture";
import { MINUTE, runNextAlarm, storedGlucose, streamingPerson, T0, useStreamClock } from "../dexcom-stream/harness";

useStreamClock();

// The person has set no zone: their day is the UTC day of T0 (2040-03-14).
const DATE = "2040-03-14";
const dayStart = Date.parse(`${DATE}T00:00:00Z`);

/** The day as the object stored it (not recomputed by reading it), and whether live readings wait for a recompute. */
const storedDay = (stub: DurableObjectStub<UserHub>) =>
  runInDurableObject(stub, (_hub: UserHub, state) => {
    const sql = state.storage.sql;
    const row = sql.exec<{ summary: string }>("SELECT summary FROM day_summaries WHERE date = ?", DATE).toArray()[0];
    const live = sql.exec<{ dirty: number }>("SELECT dirty FROM day_live WHERE date = ?", DATE).toArray()[0];
    return { glucose: row ? (JSON.parse(row.summary) as DaySummary).glucose : null, waiting: live?.dirty === 1 };
  });

const readingsOfDay = async (userId: string) =>
  (await storedGlucose(userId)).filter((reading) => reading.time >= dayStart && reading.time < dayStart + 86_400_000);

it("live Dexcom readings recompute their day's glucose summary, at most once per 15 minutes a day", async () => {
  const person = await streamingPerson("live-day");
  // The first look writes the last day of readings; the same alarm recomputes the days they fall in.
  const first = await runNextAlarm(person.stub);
  expect(first).toBe(T0);
  const afterFirst = await readingsOfDay(person.userId);
  expect(afterFirst.length).toBeGreaterThan(50);
  expect(await storedDay(person.stub)).toMatchObject({ glucose: { value: { readings: afterFirst.length }, provenance: { source: "dexcom" } }, waiting: false });

  // The next reading, five minutes on: stored, and its day waits for the quarter hour to pass.
  await runNextAlarm(person.stub);
  const afterSecond = await readingsOfDay(person.userId);
  expect(afterSecond.length).toBe(afterFirst.length + 1);
  expect(await storedDay(person.stub)).toMatchObject({ glucose: { value: { readings: afterFirst.length } }, waiting: true });

  // The stream's looks carry on; the first one a quarter hour after the last recompute recomputes the day.
  let ranAt = first;
  while (ranAt < first + 15 * MINUTE) ranAt = await runNextAlarm(person.stub);
  const now = await readingsOfDay(person.userId);
  const mean = now.reduce((sum, reading) => sum + (reading.data.blood_glucose.value as number), 0) / now.length;
  expect(await storedDay(person.stub)).toMatchObject({ glucose: { value: { readings: now.length, mean_mgdl: Math.round(mean) } }, waiting: false });
});
