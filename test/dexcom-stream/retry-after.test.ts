import { describe, expect, it } from "vitest";
import { nextAlarmAt } from "../../src/providers/dexcom/live-stream";
import { DELAY, HOUR, MINUTE, objectState, runNextAlarm, status, streamingPerson, T0, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: Retry-After", () => {
  it("waits exactly as long as Retry-After asks, in seconds or as a date", async () => {
    const person = await streamingPerson("rate-limit");
    await runNextAlarm(person.stub);
    person.upstream.failNext(status(429, { "Retry-After": "120" }));
    let ranAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(ranAt + 120_000);

    person.upstream.failNext(status(429, { "Retry-After": new Date(Date.now() + 120_000 + 15 * MINUTE).toUTCString() }));
    ranAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(ranAt + 15 * MINUTE);
    // A 503 may carry Retry-After too.
    person.upstream.failNext(status(503, { "Retry-After": "900" }));
    ranAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(ranAt + 900_000);
    expect((await objectState(person.stub)).stream.failures).toBe("3");
  });

  it("never looks again sooner than a minute, whatever Retry-After says, and honours long ones", () => {
    expect(nextAlarmAt({ latestReadingAt: null, failures: 1, retryAfterSeconds: 0 }, T0, DELAY)).toBe(T0 + MINUTE);
    expect(nextAlarmAt({ latestReadingAt: T0 - DELAY, failures: 9, retryAfterSeconds: 3600 }, T0, DELAY)).toBe(T0 + HOUR);
  });
});
