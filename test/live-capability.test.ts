import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../src/providers/registry";
import { connectThroughSandbox, get, ORIGIN, recordingQueue, signIn } from "./helpers";

/** The person's UserHub as the platform holds it: its alarm and the live streams it has scheduled. */
async function hubSchedule(userId: string) {
  const stub = env.USER_HUB.get(env.USER_HUB.idFromName(userId));
  return runInDurableObject(stub, async (_instance, state) => ({
    alarm: await state.storage.getAlarm(),
    live: state.storage.sql
      .exec<{ source: string }>("SELECT source FROM live_schedule ORDER BY source")
      .toArray()
      .map((row) => row.source),
  }));
}

describe("live streams are a capability of the adapter", () => {
  it("only adapters with `live` have one: today that is Dexcom", () => {
    expect(
      Object.values(PROVIDERS)
        .filter((adapter) => adapter.live)
        .map((adapter) => adapter.id),
    ).toEqual(["dexcom"]);
  });

  it("connecting a source without `live` schedules nothing in the person's UserHub; connecting one with it does", async () => {
    const session = await signIn();
    const callbackEnv = { SYNC_QUEUE: recordingQueue() };
    expect((await connectThroughSandbox("oura", session, { callbackEnv })).status).toBe(303);
    expect(await hubSchedule(session.userId)).toEqual({ alarm: null, live: [] });

    expect((await connectThroughSandbox("dexcom", session, { callbackEnv })).status).toBe(303);
    const scheduled = await hubSchedule(session.userId);
    expect(scheduled.live).toEqual(["dexcom"]);
    expect(scheduled.alarm).not.toBeNull();
  });

  it("a source without `live` has no live view, by WebSocket or by polling", async () => {
    const session = await signIn();
    const socket = await exports.default.fetch(`${ORIGIN}/live/oura`, {
      headers: { Upgrade: "websocket", Origin: ORIGIN, Cookie: session.cookie },
      redirect: "manual",
    });
    expect(socket.status).toBe(404);
    expect(await socket.text()).toContain("Oura Ring has no live view.");
    expect((await get("/settings/live/oura", session)).status).toBe(404);
    expect((await get("/live/not-a-source", session)).status).toBe(404);
  });
});
