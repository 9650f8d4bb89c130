import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserHub } from "../../durable-objects/user-hub";
import { DAY, objectState, runNextAlarm, setClock, storedGlucose, streamingPerson, T0, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: storage", () => {
  it("keeps its live window to a day as it moves on, while the record store keeps every reading", async () => {
    const person = await streamingPerson("storage-size");
    const empty = (await objectState(person.stub)).databaseSize;
    await runNextAlarm(person.stub);
    const day = await objectState(person.stub);
    // A day later the whole window has been replaced (old readings deleted as new ones land).
    setClock(T0 + DAY);
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    const nextDay = await objectState(person.stub);
    expect(nextDay.readings[0]!.system_time).toBeGreaterThan(day.readings.at(-1)!.system_time - 1);
    const windowBytes = await runInDurableObject(
      person.stub,
      (_instance: UserHub, state) =>
        state.storage.sql
          .exec<{ bytes: number }>("SELECT sum(length(record_id) + 8 + 8 + length(trend) + coalesce(length(status), 0)) AS bytes FROM glucose_recent")
          .one().bytes,
    );
    const stored = await storedGlucose(person.userId);
    console.log(
      JSON.stringify({
        event: "dexcom_stream_storage",
        readings: day.readings.length,
        databaseBytesEmpty: empty,
        databaseBytesWithDay: day.databaseSize,
        databaseBytesTwoDays: nextDay.databaseSize,
        objectBytesPerReading: Math.round((nextDay.databaseSize - empty) / stored.length),
        windowPayloadBytes: windowBytes,
      }),
    );
    expect(day.readings.length).toBeGreaterThan(280);
    expect(nextDay.readings.length).toBeLessThanOrEqual(day.readings.length + 1);
    expect(windowBytes).toBeLessThan(100_000);
    expect(stored.length).toBeGreaterThanOrEqual(day.readings.length + nextDay.readings.length - 1);
  });
});
