import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { consumeSyncBatch } from "../../queues/sync-consumer";
import type { SyncJob } from "../../src/sync/jobs";
import { connectThroughSandbox, get, postForm, recordingQueue, signIn } from "../helpers";

/** A person connects the sandbox scale; its backfill runs; the detail page shows their year in their unit. */
async function personWithAYearOfWeighIns() {
  const session = await signIn();
  const backfill = recordingQueue<SyncJob>();
  expect((await connectThroughSandbox("withings", session, { callbackEnv: { SYNC_QUEUE: backfill } })).status).toBe(303);
  expect(backfill.sent.length).toBeGreaterThan(1);
  const ctx = createExecutionContext();
  await consumeSyncBatch(
    createMessageBatch(
      "wellness-sync",
      backfill.sent.map((body, i) => ({ id: `b${i}`, timestamp: Date.now(), attempts: 1, body })),
    ),
    env,
  );
  await waitOnExecutionContext(ctx);
  return session;
}

describe("the scale's detail page", () => {
  it("draws the weight trend in kg, body composition and blood pressure; switches to lb when asked", async () => {
    const session = await personWithAYearOfWeighIns();
    const page = await (await get("/settings/connections/withings", session)).text();
    expect(page).toContain('<figcaption id="chart-weight-title">Weight <span class="muted">(kg)</span>');
    expect(page).toMatch(/aria-label="Weight: \d{3} measurements from /);
    expect(page).toContain('id="chart-fat-title"');
    expect(page).toMatch(/<th scope="row">Muscle<\/th><td>\d+\.\d kg<\/td>/);
    expect(page).toContain('id="chart-bp-title"');
    expect(page).toMatch(/aria-label="Blood pressure: \d+ readings; latest \d+\/\d+ mmHg/);
    // A sandbox connection offers the sandbox's scale (from the development kit, never in production's bundle).
    expect(page).toContain('action="/sandbox/withings/weigh-in"');

    const switched = await postForm("/settings/preferences/weight-unit", session, { unit: "lb", back: "/settings/connections/withings" });
    expect(switched.status).toBe(303);
    expect(switched.headers.get("Location")).toBe("/settings/connections/withings");
    const inPounds = await (await get("/settings/connections/withings", session)).text();
    expect(inPounds).toContain('<figcaption id="chart-weight-title">Weight <span class="muted">(lb)</span>');
    expect(inPounds).toMatch(/<th scope="row">Weight<\/th><td>\d+\.\d lb<\/td>/);
    expect(inPounds).toContain('aria-pressed="true">lb</button>');
  });

  it("refuses a unit it does not know, and never redirects off the settings pages", async () => {
    const session = await signIn();
    expect((await postForm("/settings/preferences/weight-unit", session, { unit: "stone" })).status).toBe(400);
    const elsewhere = await postForm("/settings/preferences/weight-unit", session, { unit: "kg", back: "https://evil.example/" });
    expect(elsewhere.headers.get("Location")).toBe("/settings");
  });

  it("shows the scale under All and Wearables, not under CGM or Apps", async () => {
    const session = await signIn();
    for (const [filter, shown] of [
      ["all", true],
      ["wearables", true],
      ["cgm", false],
      ["apps", false],
    ] as const) {
      const page = await (await get(`/settings/devices?filter=${filter}`, session)).text();
      expect(page.includes('id="card-withings"'), filter).toBe(shown);
    }
  });
});
