import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UserHub } from "../../durable-objects/user-hub";
import { READING_INTERVAL_MS } from "../../views/glucose";
import { get, signIn } from "../helpers";
import { attach, DAY, hub, listen, openLive, runNextAlarm, setClock, streamingPerson, T0, useStreamClock, withoutRequestTimers } from "./harness";

useStreamClock();

describe("Dexcom live stream: live pages", () => {
  it("pushes the current glucose to an open page at once, and each new reading as it lands, across hibernation", async () => {
    withoutRequestTimers();
    const session = await signIn("live-push@stream.test");
    const person = await streamingPerson("live-push", { session });
    await runNextAlarm(person.stub);
    const { latest, egvs } = await person.truth();
    const readingAt = async (t: number) => (await egvs(t, t + 1000))[0]!;

    const response = await openLive(session);
    expect(response.status).toBe(101);
    const page = listen(response.webSocket!);
    const first = await page.next();
    expect(first).toContain('id="glucose-live"');
    expect(first).toContain(`<span class="value">${(await readingAt(latest)).value}</span>`);
    expect(first).toContain(`As of <time datetime="${new Date(latest).toISOString()}">`);

    // A look with nothing new pushes nothing; the new readings are pushed when they land.
    person.upstream.hide = (kind, t) => kind === "egvs" && t > latest;
    await runNextAlarm(person.stub);
    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    const next = (await person.truth()).latest;
    expect(next).toBeGreaterThan(latest);
    const second = await page.next();
    expect(second).toContain(`As of <time datetime="${new Date(next).toISOString()}">`);
    expect(second).toContain(`<span class="value">${(await readingAt(next)).value}</span>`);

    // The object is evicted with the page open: the socket hibernates, and the next reading still reaches it.
    await evictDurableObject(person.stub);
    await attach(person.stub, person.upstream);
    await runNextAlarm(person.stub);
    const third = await page.next();
    expect(third).toContain(`As of <time datetime="${new Date(next + READING_INTERVAL_MS).toISOString()}">`);

    // Where WebSockets are unavailable, the card polls the same fragment (read from D1).
    const polled = await get("/settings/live/dexcom", session);
    expect(polled.status).toBe(200);
    expect(await polled.text()).toContain(`As of <time datetime="${new Date(next + READING_INTERVAL_MS).toISOString()}">`);
  });

  it("tells a page how late the readings are, even days after they stopped", async () => {
    const session = await signIn("live-stopped@stream.test");
    const person = await streamingPerson("live-stopped", { session });
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    // The sensor ended two days ago; Dexcom has had nothing since.
    setClock(T0 + 2 * DAY);
    const live = await openLive(session);
    const fragment = await listen(live.webSocket!).next();
    expect(fragment).toContain("glucose-stale");
    expect(fragment).toContain(`As of <time datetime="${new Date(latest).toISOString()}">2 days ago</time>`);
    expect(fragment).toContain("No new readings for over 30 minutes past when one was due.");
    expect(fragment).not.toContain("No readings yet");
  });

  it("finishes closing a page that went away abruptly (close code 1006, which cannot be sent back)", async () => {
    const session = await signIn("live-abrupt@stream.test");
    const stub = hub(session.userId);
    for (const code of [1006, 1005, 1015]) {
      const live = await openLive(session);
      expect(live.status).toBe(101);
      const page = listen(live.webSocket!);
      await page.next();
      // A network drop or a crashed tab reaches the object as an abnormal closure.
      await runInDurableObject(stub, async (instance: UserHub, state) => {
        const sockets = state.getWebSockets("live:dexcom");
        expect(sockets).toHaveLength(1);
        await instance.webSocketClose(sockets[0]!, code);
      });
      expect(await page.closed).toEqual({ code: 1000, reason: "closing" });
    }

    // A page that closes normally: its code is echoed.
    const other = await openLive(session);
    const second = listen(other.webSocket!);
    await second.next();
    other.webSocket!.close(1001, "leaving");
    expect((await second.closed).code).toBe(1001);
  });

  it("opens only from Wellness OS pages, for a signed-in person", async () => {
    const session = await signIn("live-origin@stream.test");
    expect((await openLive(session, "https://evil.example")).status).toBe(403);
    expect((await openLive(session, null)).status).toBe(403);
    const anonymous = await openLive(null);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("Location")).toBe("/dev/sign-in?next=%2Flive%2Fdexcom");
    expect((await get("/live/dexcom", session)).status).toBe(426);
    // A signed-in person without Dexcom gets their own (empty) view, never anyone else's.
    const own = await openLive(session);
    expect(own.status).toBe(101);
    expect(await listen(own.webSocket!).next()).toContain("No readings yet");
  });
});
