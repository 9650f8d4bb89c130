import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { consumeSyncBatch } from "../queues/sync-consumer";
import { createApp } from "../src/app";
import { integrationConnections, syncRuns } from "../src/db/schema";
import { dailySummaries } from "../src/domain/daily-summary";
import type { SyncJob } from "../src/sync/jobs";
import { connectThroughSandbox, db, get, ORIGIN, recordingQueue, type Session, seedConnection, signIn } from "./helpers";

const DAY = 86_400_000;

function cardOf(html: string, source: string): string {
  const start = html.indexOf(`id="card-${source}"`);
  return html.slice(start, html.indexOf("</article>", start));
}

async function post(path: string, session: Session, queue = recordingQueue<SyncJob>()) {
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: {
        Cookie: session.cookie,
        Origin: ORIGIN,
        "X-CSRF-Token": session.csrfToken,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "",
    }),
    { ...env, SYNC_QUEUE: queue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { response, queue };
}

describe("Sync now and a truthful card", () => {
  it("starts one sync, shows it running with a self-polling card, and shows the result when it is done", async () => {
    const session = await signIn();
    const backfill = recordingQueue<SyncJob>();
    await connectThroughSandbox("oura", session, { callbackEnv: { SYNC_QUEUE: backfill } });
    // Let the backfill finish first, as it would in the background.
    await consumeSyncBatch(
      createMessageBatch(
        "wellness-sync",
        backfill.sent.map((body, i) => ({ id: `b${i}`, timestamp: Date.now(), attempts: 1, body })),
      ),
      env,
    );

    const { response, queue } = await post("/api/integrations/oura/sync", session);
    expect(response.status).toBe(200);
    const card = await response.text();
    expect(card).toContain('id="card-oura"');
    expect(card).toContain("Syncing…");
    expect(card).toMatch(/hx-get="\/settings\/cards\/oura" hx-trigger="every 2s"/);
    expect(card).not.toContain(">Sync now<");
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({ trigger: "manual", source: "oura" });

    // A second press while it runs starts nothing new.
    const again = await post("/api/integrations/oura/sync", session);
    expect(again.queue.sent).toHaveLength(0);

    // The polled card still says syncing until the job has run…
    expect(await (await get("/settings/cards/oura", session)).text()).toContain("Syncing…");
    await consumeSyncBatch(createMessageBatch("wellness-sync", [{ id: "manual", timestamp: Date.now(), attempts: 1, body: queue.sent[0]! }]), env);
    // …then it shows the last and next sync and no poller, so polling stops.
    const done = await (await get("/settings/cards/oura", session)).text();
    expect(done).not.toContain("Syncing…");
    expect(done).not.toContain("hx-trigger");
    expect(done).toMatch(/Synced <time datetime="[^"]+" title="[^"]+ UTC">just now<\/time> · next <time/);
    const [run] = await db().select().from(syncRuns).where(eq(syncRuns.id, queue.sent[0]!.runId));
    expect(run?.status).toBe("succeeded");
  });

  it("says stale when no sync has succeeded for twice the cadence, and names the error when there is one", async () => {
    const session = await signIn();
    const now = Date.now();
    // Oura syncs every 15 minutes: 40 minutes without success is stale.
    await seedConnection(session.userId, "oura", "connected", { lastSuccessAt: now - 40 * 60_000, lastSyncAt: now - 40 * 60_000, nextSyncAt: now + 60_000 });
    await seedConnection(session.userId, "whoop", "connected", { lastSuccessAt: now - 60 * 60_000, nextSyncAt: now + 60_000 });
    await seedConnection(session.userId, "fitbit", "error", {
      statusReason: "Syncing Fitbit kept failing, so recent data may be missing.",
      lastSyncAt: now - DAY,
    });
    const page = await (await get("/settings", session)).text();
    expect(cardOf(page, "oura")).toContain("Stale: no successful sync recently");
    // The badge says so too, instead of a healthy "Connected".
    expect(cardOf(page, "oura")).toContain('<span class="badge badge-stale">Stale</span>');
    expect(cardOf(page, "oura")).not.toContain("badge-connected");
    expect(cardOf(page, "whoop")).toContain("badge-connected");
    // WHOOP syncs every 3 hours: one hour is not stale.
    expect(cardOf(page, "whoop")).not.toContain("Stale");
    const fitbit = cardOf(page, "fitbit");
    expect(fitbit).toContain("Sync error");
    expect(fitbit).toContain("Syncing Fitbit kept failing, so recent data may be missing.");
    expect(fitbit).toContain(">Try again<");
  });

  it("refuses to sync what is not connected", async () => {
    const session = await signIn();
    const { response, queue } = await post("/api/integrations/whoop/sync", session);
    expect(response.status).toBe(409);
    expect(queue.sent).toHaveLength(0);
  });
});

describe("the connection detail view", () => {
  it("charts the last 14 days from synced records and lists recent syncs", async () => {
    const session = await signIn();
    const backfill = recordingQueue<SyncJob>();
    await connectThroughSandbox("oura", session, { callbackEnv: { SYNC_QUEUE: backfill } });
    await consumeSyncBatch(
      createMessageBatch(
        "wellness-sync",
        backfill.sent.map((body, i) => ({ id: `d${i}`, timestamp: Date.now(), attempts: 1, body })),
      ),
      env,
    );

    const response = await get("/settings/connections/oura", session);
    expect(response.status).toBe(200);
    const page = await response.text();
    for (const title of ["Sleep score", "Readiness", "Steps", "Resting heart rate"])
      expect(page).toMatch(new RegExp(`<figcaption id="chart-[a-z]+-title">${title} `));
    expect(page).toContain('<svg viewBox="0 0 360 180" role="img" aria-label="Sleep score: ');
    // Bars exist and each has a readable title with a value.
    expect((page.match(/<rect [^>]*class="bar"/g) ?? []).length).toBeGreaterThan(20);
    expect(page).toMatch(/<title>\d{4}-\d{2}-\d{2}: [\d,]+ steps<\/title>/);
    expect(page).toMatch(/<td>Backfill of the last 30 days: \d+ [A-Z][a-z]{2} – \d+ [A-Z][a-z]{2}<\/td>/);
    expect(page).toContain("Delete synced data");
  });

  it("folds records into daily numbers, falling back where a provider has no daily figure", () => {
    const now = Date.UTC(2026, 10, 25, 12);
    const records = [
      { kind: "daily_sleep", startTime: Date.UTC(2026, 10, 24), endTime: null, data: JSON.stringify({ date: "2026-11-24", score: 81 }) },
      {
        kind: "sleep_session",
        startTime: Date.UTC(2026, 10, 24, 23),
        endTime: Date.UTC(2026, 10, 25, 7),
        data: JSON.stringify({ is_main_sleep: true, score: 77, heart_rate_lowest: { value: 49, unit: "beats/min" } }),
      },
      {
        kind: "readiness",
        startTime: Date.UTC(2026, 10, 25),
        endTime: null,
        data: JSON.stringify({ date: "2026-11-25", score: 66, resting_heart_rate: { value: 52, unit: "beats/min" } }),
      },
      {
        kind: "daily_activity",
        startTime: Date.UTC(2026, 10, 24),
        endTime: null,
        data: JSON.stringify({ date: "2026-11-24", step_count: { value: 9120, unit: "steps" } }),
      },
      { kind: "daily_activity", startTime: 0, endTime: null, data: "not json" },
    ];
    const days = dailySummaries(records, 3, now);
    expect(days).toEqual([
      { date: "2026-11-23", sleepScore: null, readiness: null, steps: null, restingHeartRate: null },
      { date: "2026-11-24", sleepScore: 81, readiness: null, steps: 9120, restingHeartRate: null },
      // No daily sleep score for the 25th: the main sleep's score stands in; readiness's resting HR beats the night's lowest.
      { date: "2026-11-25", sleepScore: 77, readiness: 66, steps: null, restingHeartRate: 52 },
    ]);
  });

  it("answers 404 for a source the person never connected", async () => {
    const session = await signIn();
    expect((await get("/settings/connections/whoop", session)).status).toBe(404);
  });
});

describe("delete my data, from the detail view", () => {
  it("asks first, then deletes", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "oura", "connected");
    const modal = await (await get("/settings/delete-data/oura", session, { "HX-Request": "true" })).text();
    expect(modal).toContain("Delete data synced from Oura Ring?");
    expect(modal).toContain('hx-post="/api/integrations/oura/data/delete"');
    const [row] = await db()
      .select()
      .from(integrationConnections)
      .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "oura")));
    expect(row?.status).toBe("connected");
  });
});
