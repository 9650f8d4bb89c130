import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { connectThroughSandbox, postForm, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";

/**
 * A newcomer, offline: connects the sandbox scale, steps on it, and the weigh-in arrives the way a real one does,
 * through Withings' notification to our callback, the webhook queue, a pull of the window, and the record store.
 * The queues here are the test environment's real ones, whose consumers run in the background.
 */
describe("the sandbox scale", () => {
  it("sends Withings' notification for a new weigh-in, and the weigh-in is stored", { timeout: 60_000 }, async () => {
    const session = await signIn();
    // The connection's backfill runs on the real sync queue; its newest job subscribes the callback.
    expect((await connectThroughSandbox("withings", session)).status).toBe(303);
    await vi.waitFor(
      async () => {
        const stored = await storedRecords(session.userId, { source: "withings", kind: "body_composition" });
        expect(stored.length).toBeGreaterThan(200);
      },
      { timeout: 40_000, interval: 500 },
    );
    const before = Date.now();
    const stepped = await postForm("/sandbox/withings/weigh-in", session, {});
    expect(stepped.status).toBe(303);
    expect(stepped.headers.get("Location")).toBe("/settings/connections/withings");
    await vi.waitFor(
      async () => {
        const stored = await storedRecords(session.userId, { source: "withings", kind: "body_composition" });
        expect(stored.some((row) => row.start_time >= Math.floor(before / 1000) * 1000)).toBe(true);
      },
      { timeout: 40_000, interval: 500 },
    );
    // It came through the notification: the webhook consumer recorded the event it handled.
    const events = await env.DB.prepare("SELECT status FROM webhook_events WHERE provider = 'withings' AND event_id LIKE ?").bind("%:1:%").all();
    expect(events.results).toContainEqual({ status: "processed" });
  });
});
