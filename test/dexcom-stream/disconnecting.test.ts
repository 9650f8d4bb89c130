import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserHub } from "../../durable-objects/user-hub";
import { READING_INTERVAL_MS } from "../../views/glucose";
import { postForm, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";
import {
  connectDexcom,
  connection,
  heldReadings,
  hub,
  listen,
  objectState,
  openLive,
  runNextAlarm,
  storedGlucose,
  streamingPerson,
  useStreamClock,
  withoutRequestTimers,
} from "./harness";

useStreamClock();

const liveSchedule = (stub: DurableObjectStub<UserHub>) =>
  runInDurableObject(stub, (_hub: UserHub, state) => state.storage.sql.exec("SELECT source, due FROM live_schedule").toArray());

describe("Dexcom live stream: disconnecting", () => {
  it("stops the stream, closes live pages and forgets the object's readings; a stray alarm does nothing", async () => {
    withoutRequestTimers();
    const session = await signIn("disconnect@stream.test");
    await connectDexcom(session);
    const stub = hub(session.userId);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Evicted between looks, the hub's own stream (sandbox mode, nothing injected) carries on from storage.
    const first = await objectState(stub);
    await evictDurableObject(stub);
    await runNextAlarm(stub);
    const second = await objectState(stub);
    expect(second.readings.length).toBeGreaterThanOrEqual(first.readings.length);
    expect(second.readings.at(-1)!.system_time).toBe(first.readings.at(-1)!.system_time + READING_INTERVAL_MS);
    const rowsBefore = await storedGlucose(session.userId);

    const live = await openLive(session);
    expect(live.status).toBe(101);
    const page = listen(live.webSocket!);
    expect(await page.next()).toContain("As of");

    const response = await postForm("/api/integrations/dexcom/disconnect", session, {});
    expect(response.status).toBe(303);
    expect(await page.closed).toEqual({ code: 1000, reason: "Dexcom disconnected" });

    const state = await objectState(stub);
    // The stream no longer has a look scheduled; the alarm left is the daily picture's (its days' recompute and
    // 72-hour deadline, docs/daily-picture.md), which asks Dexcom nothing.
    expect(await liveSchedule(stub)).toEqual([]);
    expect(state.alarm).not.toBeNull();
    expect(state.stream).toEqual({});
    expect(state.readings).toEqual([]);
    expect(await heldReadings(stub, 0)).toEqual([]);

    // An alarm already on its way when the person disconnected: no request, no write, no new alarm.
    const disconnected = await connection(session.userId);
    expect(disconnected.status).toBe("disconnected");
    await runInDurableObject(stub, (instance: UserHub) => instance.alarm());
    expect(await liveSchedule(stub)).toEqual([]);
    expect(await objectState(stub)).toMatchObject({ stream: {}, readings: [] });
    expect(await connection(session.userId)).toEqual(disconnected);
    // Without "delete my data", the readings already synced stay in D1.
    expect(await storedGlucose(session.userId)).toEqual(rowsBefore);
  });

  it("writes nothing when the person disconnects (deleting their data) while a look waits on Dexcom", async () => {
    const session = await signIn("disconnect-race@stream.test");
    const person = await streamingPerson("disconnect-race", { session });
    const slow = person.upstream.holdNext("egvs");
    const running = runDurableObjectAlarm(person.stub);
    // Awaited and released from inside the object: a promise settled in one object's context resumes its waiters
    // in that context, so the test's own code must not wait on it directly.
    await runInDurableObject(person.stub, () => slow.reached);

    const response = await postForm("/api/integrations/dexcom/disconnect", session, { delete_data: "yes" });
    expect(response.status).toBe(303);
    await runInDurableObject(person.stub, () => slow.release());
    expect(await running).toBe(true);

    expect(await storedGlucose(person.userId)).toEqual([]);
    expect(await storedRecords(person.userId)).toEqual([]);
    expect(await objectState(person.stub)).toMatchObject({ alarm: null, stream: {}, readings: [] });
    expect((await connection(person.userId)).lastSuccessAt).toBeNull();
  });
});
