import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { UserHub } from "../../durable-objects/user-hub";
import { READING_INTERVAL_MS } from "../../views/glucose";
import { connection, dueAfter, type HubInternals, MINUTE, objectState, runNextAlarm, setClock, status, streamingPerson, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: backing off after failures", () => {
  it("backs off 5, 10, 20, 30, 30 minutes on server errors, timeouts and broken bodies, and a success resets it", async () => {
    const person = await streamingPerson("backoff");
    await runNextAlarm(person.stub);
    const lastSuccess = (await connection(person.userId)).lastSuccessAt;
    const readingsBefore = (await objectState(person.stub)).readings;
    const failures = [
      status(503, {}, "Service Unavailable"),
      // egvs fails after dataRange answered: nothing of the look is kept.
      status(500),
      // What fetch throws when the request's AbortSignal.timeout fires.
      () => Promise.reject(new DOMException("The operation timed out.", "TimeoutError")),
      // A maintenance page with 200: not Dexcom's envelope.
      status(200, { "Content-Type": "text/html" }, "<html>Down for maintenance</html>"),
      status(429),
    ];
    const expected = [5, 10, 20, 30, 30].map((minutes) => minutes * MINUTE);
    setClock((await objectState(person.stub)).alarm!);
    for (const [index, failure] of failures.entries()) {
      person.upstream.failNext(failure, index === 1 ? "egvs" : null);
      const ranAt = await runNextAlarm(person.stub);
      const state = await objectState(person.stub);
      expect(state.alarm, `failure ${index + 1}`).toBe(ranAt + expected[index]!);
      expect(state.stream.failures).toBe(String(index + 1));
      expect(state.readings).toEqual(readingsBefore);
    }
    expect((await connection(person.userId)).lastSuccessAt).toBe(lastSuccess);

    // Dexcom answers again: the missed hour and a half is filled, the schedule is back on the readings' cadence.
    const ranAt = await runNextAlarm(person.stub);
    const state = await objectState(person.stub);
    expect(state.stream.failures).toBe("0");
    const truth = await person.truth();
    expect(state.readings.at(-1)!.system_time).toBe(truth.latest);
    expect(state.alarm).toBe(Math.max(dueAfter(truth.latest), ranAt + READING_INTERVAL_MS));
    expect((await connection(person.userId)).lastSuccessAt).toBe(ranAt);
  });

  it("counts an unexpected error in a look as a failure, and an alarm that throws still sets the next one", async () => {
    const person = await streamingPerson("throws");
    // The body breaks off while being read: not a Dexcom error the stream knows, still retried with backoff.
    person.upstream.failNext(
      () => new Response(new ReadableStream({ start: (controller) => controller.error(new Error("connection reset")) }), { status: 200 }),
    );
    const ranAt = await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + 5 * MINUTE, stream: { failures: "1" } });

    // The tick itself throws (storage, a bug): the alarm handler logs it and keeps the stream's clock running.
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    await runInDurableObject(person.stub, (instance: UserHub) => {
      vi.spyOn((instance as unknown as HubInternals).live.get("dexcom")!, "tick").mockRejectedValueOnce(new TypeError("storage went away"));
    });
    const threwAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(threwAt + READING_INTERVAL_MS);
    expect(logged).toHaveBeenCalledWith(JSON.stringify({ event: "live_stream_alarm_failed", source: "dexcom", name: "TypeError" }));

    // And the next look works as usual.
    await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).stream.failures).toBe("0");
  });
});
