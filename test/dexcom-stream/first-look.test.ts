import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mgdlToMmoll } from "../../src/domain/units";
import { dexcomDelayMs } from "../../src/providers/dexcom/auth";
import { RECENT_WINDOW_MS } from "../../src/providers/dexcom/live-stream";
import { READING_INTERVAL_MS } from "../../views/glucose";
import { signIn } from "../helpers";
import { storedRecords } from "../records/inspect";
import {
  connectDexcom,
  connection,
  DELAY,
  dueAfter,
  expectedRows,
  HOUR,
  hub,
  MINUTE,
  objectState,
  runNextAlarm,
  sandboxTruth,
  storedGlucose,
  streamingPerson,
  T0,
  timeOf,
  useStreamClock,
} from "./harness";

useStreamClock();

describe("Dexcom live stream: the first alarm after connecting", () => {
  it("stores the last day of readings in the live window and the record store, marks the connection, and waits for the next reading", async () => {
    const session = await signIn("first-alarm@stream.test");
    await connectDexcom(session);
    const stub = hub(session.userId);

    // Connecting starts the stream: the first look is due at once.
    const started = await objectState(stub);
    expect(started.alarm).toBe(T0);
    expect(started.stream.enabled).toBe("1");
    expect(started.readings).toEqual([]);
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const access = await stub.getAccessToken(session.userId, "dexcom");
    if (!access.ok) throw new Error("no access token after connecting");
    expect(access.mode).toBe("sandbox");
    const truth = await sandboxTruth(access.accessToken);
    // Dexcom's newest reading is an hour old: the sandbox releases data with the US delay.
    expect(truth.latest).toBeLessThanOrEqual(T0 - DELAY);
    expect(truth.latest).toBeGreaterThan(T0 - DELAY - READING_INTERVAL_MS);
    const day = await truth.egvs(truth.latest - RECENT_WINDOW_MS, truth.latest + 1000);
    expect(day.length).toBeGreaterThan(280);

    const after = await objectState(stub);
    expect(after.readings.map(({ status: _status, ...row }) => row)).toEqual(expectedRows(day));

    const rows = await storedGlucose(session.userId);
    expect(rows.map((row) => row.id)).toEqual(day.map((record) => record.recordId));
    for (const [index, row] of rows.entries()) {
      const record = day[index]!;
      expect(row.time).toBe(timeOf(record));
      expect(row.data.blood_glucose).toEqual({ value: record.value, unit: "mg/dL" });
      expect(row.data.blood_glucose_molar).toEqual({ value: mgdlToMmoll(record.value as number), unit: "mmol/L" });
      expect(row.data.trend).toBe(record.trend);
    }
    // Calibrations and events the sandbox logged in that day were written too (dataRange said they exist).
    const others = await storedRecords(session.userId);
    expect(new Set(others.map((row) => row.kind))).toEqual(new Set(["glucose_reading", "glucose_calibration", "cgm_event"]));

    expect(await connection(session.userId)).toMatchObject({ status: "connected", lastSuccessAt: T0, lastSyncAt: T0, lastError: null });
    // The next reading is taken 5 minutes after the newest and released an hour later: look then (plus a minute).
    expect(dueAfter(truth.latest)).toBeGreaterThan(T0 + MINUTE);
    expect(after.alarm).toBe(dueAfter(truth.latest));
    expect(after.stream.failures).toBe("0");
  });

  it("asks dataRange first and fetches exactly the day it reports, in one egvs request", async () => {
    const person = await streamingPerson("first-requests");
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    const requests = person.upstream.take();
    expect(requests[0]).toEqual({ path: "dataRange", start: null, end: null });
    expect(requests.filter((request) => request.path === "egvs")).toEqual([{ path: "egvs", start: latest - RECENT_WINDOW_MS, end: latest + 1000 }]);
    // Calibrations and events only because dataRange says they exist; nothing else.
    expect(requests.map((request) => request.path).sort()).toEqual(["calibrations", "dataRange", "egvs", "events"]);
  });

  it("waits three hours of delay outside the US", async () => {
    const person = await streamingPerson("first-eu", { envOverride: { DEXCOM_REGION: "eu" } });
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    expect(dexcomDelayMs({ DEXCOM_REGION: "eu" })).toBe(3 * HOUR);
    expect(dexcomDelayMs({ DEXCOM_REGION: "jp" })).toBe(3 * HOUR);
    expect(dexcomDelayMs({ DEXCOM_REGION: "us" })).toBe(HOUR);
    expect((await objectState(person.stub)).alarm).toBe(latest + READING_INTERVAL_MS + 3 * HOUR + MINUTE);
    // Dexcom's EU host is the one asked (the sandbox answers for every region's host).
    expect([...person.upstream.hosts]).toEqual(["api.dexcom.eu"]);
  });
});
