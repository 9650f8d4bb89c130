import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseDexcomTime } from "../../src/providers/dexcom/api";
import { createSandboxFetch } from "../../src/sandbox/fetch";
import { READING_INTERVAL_MS } from "../../views/glucose";
import { storedRecords } from "../records/inspect";
import { connection, objectState, runNextAlarm, streamingPerson, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: what it asks Dexcom for", () => {
  it("looks every five minutes for a person whose Dexcom has no readings yet, asking nothing but dataRange", async () => {
    const person = await streamingPerson("no-readings");
    // A new account: dataRange lists no kind at all.
    person.upstream.failNext(() =>
      Response.json({ recordType: "dataRange", recordVersion: "3.0", userId: "5b329ebcfbf2f0ba7e49d4c5eb57775468f5ee657ac16fcde07e1fd08197b4c7" }),
    );
    const ranAt = await runNextAlarm(person.stub);
    expect(person.upstream.take().map((request) => request.path)).toEqual(["dataRange"]);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + READING_INTERVAL_MS, readings: [], stream: { failures: "0" } });
    expect((await connection(person.userId)).lastSuccessAt).toBe(ranAt);
  });

  it("asks for calibrations and events only when dataRange reports new ones of that kind", async () => {
    const person = await streamingPerson("calibration-late");
    // A fingerstick calibration entered on a receiver reaches Dexcom after events logged later on the phone.
    const token = person.token;
    const range = await (
      await createSandboxFetch(env)("https://sandbox-api.dexcom.com/v3/users/self/dataRange", { headers: { Authorization: `Bearer ${token}` } })
    ).json<Record<string, { end: { systemTime: string } }>>();
    const calibration = parseDexcomTime(range.calibrations!.end.systemTime)!;
    const event = parseDexcomTime(range.events!.end.systemTime)!;
    expect(event, "this sandbox day has an event after its last calibration").toBeGreaterThan(calibration);
    person.upstream.hide = (kind, t) => kind === "calibrations" && t === calibration;
    await runNextAlarm(person.stub);
    const calibrations = async () => (await storedRecords(person.userId, { kind: "glucose_calibration" })).map((row) => row.start_time);
    expect(await calibrations()).not.toContain(calibration);
    person.upstream.take();

    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    expect(person.upstream.take().map((request) => request.path)).toEqual(["dataRange", "egvs", "calibrations"]);
    expect(await calibrations()).toContain(calibration);
    // Nothing new of either kind: neither is asked for.
    await runNextAlarm(person.stub);
    expect(person.upstream.take().map((request) => request.path)).toEqual(["dataRange", "egvs"]);
  });
});
