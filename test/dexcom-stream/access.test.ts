import { describe, expect, it, vi } from "vitest";
import { hubHoldsTokens } from "../helpers";
import { connection, DAY, MINUTE, objectState, runNextAlarm, status, streamingPerson, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: renewing access", () => {
  it("tries again later when renewing access fails for now, and stops when Dexcom refuses it for good", async () => {
    const person = await streamingPerson("refresh-unavailable");
    // Dexcom says 401; renewing cannot complete right now (here: no live client configured, which the vault
    // treats like any passing failure): the tokens are kept, so this is a failure to retry.
    await person.stub.storeTokens(person.userId, "dexcom", "live", {
      accessToken: person.token,
      refreshToken: "refresh-me",
      expiresAt: Date.now() + 90 * DAY,
      scope: null,
      context: {},
    });
    vi.spyOn(console, "warn").mockImplementation(() => {});
    person.upstream.failNext(status(401));
    const ranAt = await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + 5 * MINUTE, stream: { enabled: "1", failures: "1" } });
    expect(await connection(person.userId)).toMatchObject({ status: "connected", statusReason: null });
    expect(await hubHoldsTokens(person.userId, "dexcom")).toBe(true);

    // Without a refresh token, a 401 means the access is gone: reconnect needed, the stream stops.
    await person.stub.storeTokens(person.userId, "dexcom", "live", {
      accessToken: person.token,
      refreshToken: null,
      expiresAt: Date.now() + 90 * DAY,
      scope: null,
      context: {},
    });
    person.upstream.failNext(status(401));
    await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: null, stream: {}, readings: [] });
    expect((await connection(person.userId)).status).toBe("needs_reauth");
  });
});
