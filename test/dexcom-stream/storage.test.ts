import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserHub } from "../../durable-objects/user-hub";
import { DAY, T0, objectState, runNextAlarm, setClock, streamingPerson, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: storage", () => {
  it("keeps a day of readings in well under 100 kB of the object's SQLite storage", async () => {
    const person = await streamingPerson("storage-size");
    const empty = (await objectState(person.stub)).databaseSize;
    await runNextAlarm(person.stub);
    const day = await objectState(person.stub);
    // A day later the whole day has been replaced (old readings deleted as new ones land): the size holds.
    setClock(T0 + DAY);
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    const nextDay = await objectState(person.stub);
    expect(nextDay.readings[0]!.system_time).toBeGreaterThan(day.readings.at(-1)!.system_time - 1);
    const rowBytes = await runInDurableObject(person.stub, (_instance: UserHub, state) =>
      state.storage.sql.exec<{ bytes: number }>("SELECT sum(length(record_id) + 8 + 8 + length(trend) + coalesce(length(status), 0)) AS bytes FROM glucose_recent").one().bytes,
    );
    const figures = {
      event: "dexcom_stream_storage",
      readings: day.readings.length,
      databaseBytesEmpty: empty,
      databaseBytesWithDay: day.databaseSize,
      databaseBytesNextDay: nextDay.databaseSize,
      bytesPerReading: Math.round((day.databaseSize - empty) / day.readings.length),
      rowPayloadBytes: rowBytes,
    };
    console.log(JSON.stringify(figures));
    expect(day.readings.length).toBeGreaterThan(280);
    expect(day.databaseSize - empty).toBeLessThan(100_000);
    expect(nextDay.databaseSize).toBeLessThanOrEqual(day.databaseSize + 16_384);
  });
});
