import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storedRecords } from "../records/inspect";
import { attach, runNextAlarm, streamingPerson, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: where readings are written", () => {
  it("writes each look's records into the person's own record store, none to D1", async () => {
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
    // A day of readings plus that day's calibrations and events, in the object: D1 sees no record batch.
    expect(batches).toEqual([]);
    const written = await storedRecords(person.userId, { source: "dexcom" });
    expect(written.length).toBeGreaterThan(280);
  });
});
