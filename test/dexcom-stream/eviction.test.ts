import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserHub } from "../../durable-objects/user-hub";
import { READING_INTERVAL_MS } from "../../views/glucose";
import { attach, dueAfter, MINUTE, objectState, runNextAlarm, streamingPerson, useStreamClock, withoutRequestTimers } from "./harness";

useStreamClock();

describe("Dexcom live stream: eviction and restarts", () => {
  it("carries on from storage after the object is evicted: same alarm, no refetch of the day", async () => {
    withoutRequestTimers();
    const person = await streamingPerson("evicted");
    await runNextAlarm(person.stub);
    const before = await objectState(person.stub);
    const latest = before.readings.at(-1)!.system_time;
    await runInDurableObject(person.stub, (instance: UserHub) => {
      (instance as unknown as { marker?: string }).marker = "old instance";
    });

    await evictDurableObject(person.stub);
    const after = await objectState(person.stub);
    expect(await runInDurableObject(person.stub, (instance: UserHub) => (instance as unknown as { marker?: string }).marker)).toBeUndefined();
    // Everything the stream needs was in storage: it is still on, its alarm still set, its day of readings kept.
    expect(after.alarm).toBe(before.alarm);
    expect(after.stream).toEqual(before.stream);
    expect(after.readings).toEqual(before.readings);

    // The new instance's stream (given the test's Dexcom again: the injection lived in memory) picks up from there.
    await attach(person.stub, person.upstream);
    person.upstream.take();
    await runNextAlarm(person.stub);
    const requests = person.upstream.take();
    expect(requests.map((request) => request.path)).toEqual(["dataRange", "egvs"]);
    expect(requests[1]!.start).toBe(latest - 30 * MINUTE);
    const { latest: newest } = await person.truth();
    expect(newest).toBe(latest + READING_INTERVAL_MS);
    const state = await objectState(person.stub);
    expect(state.readings.at(-1)!.system_time).toBe(newest);
    expect(state.alarm).toBe(dueAfter(newest));
  });
});
