import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { RECENT_WINDOW_MS } from "../../src/providers/dexcom/live-stream";
import { healthRecords } from "../../src/db/schema";
import { db } from "../helpers";
import { MINUTE, attach, d1Glucose, objectState, runNextAlarm, streamingPerson, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: writing to D1", () => {
  it("writes to D1 before moving on: a failed D1 write leaves the readings to the next look", async () => {
    const person = await streamingPerson("d1-failure");
    let failBatches = 1;
    const flakyD1 = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => {
            if (failBatches-- > 0) return Promise.reject(new Error("D1_ERROR: Network connection lost."));
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await attach(person.stub, person.upstream, { DB: flakyD1 });
    const ranAt = await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + 5 * MINUTE, readings: [], stream: { failures: "1" } });
    expect(await d1Glucose(person.userId)).toEqual([]);

    await runNextAlarm(person.stub);
    const { latest, egvs } = await person.truth();
    const day = await egvs(latest - RECENT_WINDOW_MS, latest + 1000);
    expect((await d1Glucose(person.userId)).map((row) => row.id)).toEqual(day.map((record) => record.recordId));
    expect((await objectState(person.stub)).readings).toHaveLength(day.length);
  });

  it("sends each look's records to D1 in one batch", async () => {
    const person = await streamingPerson("one-batch");
    const batches: number[] = [];
    const countingDb = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => {
            batches.push(statements.length);
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await attach(person.stub, person.upstream, { DB: countingDb });
    await runNextAlarm(person.stub);
    // A day of readings plus that day's calibrations and events: one statement, one batch.
    expect(batches).toEqual([1]);
    const written = await db().select({ kind: healthRecords.kind }).from(healthRecords).where(eq(healthRecords.userId, person.userId));
    expect(written.length).toBeGreaterThan(280);
  });
});
