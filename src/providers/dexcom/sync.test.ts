import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { userHubFor } from "../../../durable-objects/user-hub";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import { database } from "../../db/client";
import { ensureUser } from "../../db/users";
import type { NormalizedRecord } from "../../domain/records";
import { ENGINE_SUBREQUESTS, SUBREQUEST_LIMIT } from "../../sync/run";
import { backfillWindows, scheduledWindow } from "../../sync/schedule";
import { storeRecords } from "../../sync/store-records";
import type { SyncWindow } from "../types";
import { DEXCOM_PATHS, MAX_WINDOW_MS, parseDataRange, parseDexcomTime } from "./api";
import type { DexcomKind } from "./normalize";
import { SANDBOX_DATA_DELAY_MS } from "./sandbox";
import { clampToSpan, dexcomSync, dexcomSyncFor } from "./sync";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SANDBOX_HOST = "https://sandbox-api.dexcom.com";
const spec = dexcomSyncFor(SANDBOX_HOST);

/** A fetch wrapper that remembers every URL the adapter asked for, in order. */
function recording() {
  const sent: URL[] = [];
  const wrap =
    (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      const request = new Request(input, init);
      sent.push(new URL(request.url));
      return inner(request);
    };
  return { sent, wrap };
}

function windowOf(url: URL): SyncWindow {
  return { start: parseDexcomTime(url.searchParams.get("startDate")!)!, end: parseDexcomTime(url.searchParams.get("endDate")!)! };
}

function normalizeAll(pages: { kind: DexcomKind; body: unknown }[]) {
  const records: NormalizedRecord[] = [];
  const skipped: unknown[] = [];
  for (const page of pages) {
    const result = spec.normalize(page.kind, page.body);
    records.push(...result.records);
    skipped.push(...result.skipped);
  }
  return { records, skipped };
}

const pagesOf = (pages: { kind: DexcomKind; body: unknown }[], kind: DexcomKind) => pages.filter((p) => p.kind === kind);

describe("clampToSpan", () => {
  const window = { start: 1_000_000, end: 9_000_000 };
  it("keeps only the part of the window where records exist, including the last record", () => {
    expect(clampToSpan(window, { start: 2_000_000, end: 5_000_000 }, 10_000_000)).toEqual({ start: 2_000_000, end: 5_001_000 });
  });
  it("is empty when the kind has no records or none in the window", () => {
    expect(clampToSpan(window, null, 10_000_000)).toBeNull();
    expect(clampToSpan(window, { start: 9_500_000, end: 9_900_000 }, 10_000_000)).toBeNull();
  });
  it("never reaches past now", () => {
    expect(clampToSpan(window, { start: 0, end: 20_000_000 }, 4_000_000)).toEqual({ start: 1_000_000, end: 4_000_000 });
  });
});

describe("dexcomSync.pull against the sandbox", () => {
  it("asks dataRange first, then each kind only where data exists, in ≤30-day chunks", async () => {
    const { sent, wrap } = recording();
    const { ctx, budget } = await sandboxPullContext("dexcom", { wrap });
    // 120 days back, well before the sandbox person's 60–89 days of history, until an hour into the future.
    const window = { start: Date.now() - 120 * DAY_MS, end: Date.now() + HOUR_MS };
    const pages = await pullAll(spec, ctx, window);

    expect(sent[0]!.pathname).toBe(DEXCOM_PATHS.dataRange);
    expect(pages[0]!.kind).toBe("dataRange");
    const range = parseDataRange(pages[0]!.body);
    expect(budget.used).toBe(sent.length);

    for (const kind of ["egvs", "calibrations", "events", "alerts"] as const) {
      const requests = sent.filter((url) => url.pathname === DEXCOM_PATHS[kind]);
      // dataRange has no span for alerts: they are asked for where readings exist.
      const span = range[kind === "alerts" ? "egvs" : kind]!;
      // Clamped to the data: the first request starts at the first record, not at the window's start.
      expect(windowOf(requests[0]!).start).toBe(span.start);
      expect(windowOf(requests.at(-1)!).end).toBe(span.end + 1000);
      expect(requests.length).toBe(Math.ceil((span.end + 1000 - span.start) / MAX_WINDOW_MS));
      for (const [i, url] of requests.entries()) {
        const { start, end } = windowOf(url);
        expect(end - start).toBeLessThanOrEqual(MAX_WINDOW_MS);
        if (i > 0) expect(start).toBe(windowOf(requests[i - 1]!).end);
      }
    }
    expect([...new Set(pages.map((p) => p.kind))]).toEqual(["dataRange", "egvs", "calibrations", "events", "alerts"]);
  });

  it("returns nothing newer than Dexcom's delay, and every record inside the window", async () => {
    const { ctx } = await sandboxPullContext("dexcom");
    const window = { start: Date.now() - 3 * DAY_MS, end: Date.now() };
    const { records, skipped } = normalizeAll(await pullAll(spec, ctx, window));
    expect(skipped).toEqual([]);
    const readings = records.filter((r) => r.kind === "glucose_reading");
    // Three days of 5-minute readings less the unreleased last hour (12), the daily 15-minute gaps (2–4 of 3
    // readings in a window touching 4 local days) and perhaps one 30-minute sensor warm-up (6).
    expect(readings.length).toBeGreaterThanOrEqual(3 * 288 - 12 - 4 * 3 - 6 - 1);
    expect(readings.length).toBeLessThanOrEqual(3 * 288 - 12 + 1 - 2 * 3);
    for (const record of records) {
      expect(record.startTime).toBeGreaterThanOrEqual(Math.floor(window.start / 1000) * 1000);
      expect(record.startTime).toBeLessThanOrEqual(Date.now() - SANDBOX_DATA_DELAY_MS);
    }
    expect(records.some((r) => r.kind === "cgm_event")).toBe(true);
    expect(records.some((r) => r.kind === "glucose_calibration")).toBe(true);
  });

  it("pulls the alerts the sandbox person's lows raised, each at a reading past the alert's threshold", async () => {
    const { ctx } = await sandboxPullContext("dexcom");
    // A low comes on about a third of days: thirty days without one would be a one-in-400,000 draw.
    const window = { start: Date.now() - 30 * DAY_MS, end: Date.now() };
    const { records, skipped } = normalizeAll(await pullAll(spec, ctx, window));
    expect(skipped).toEqual([]);
    const alerts = records.filter((r) => r.kind === "glucose_alert");
    expect(alerts.length).toBeGreaterThan(0);
    const readings = new Map(
      records.filter((r) => r.kind === "glucose_reading").map((r) => [r.startTime, (r.data as { blood_glucose: { value: number } }).blood_glucose.value]),
    );
    for (const alert of alerts) {
      const { alert_name, alert_state } = alert.data as { alert_name: string; alert_state: string };
      const threshold = alert_name === "urgentLow" ? 55 : 70;
      expect(["low", "urgentLow"]).toContain(alert_name);
      if (alert_state === "activeAlarming") expect(readings.get(alert.startTime)).toBeLessThan(threshold);
      if (alert_state === "inactive") expect(readings.get(alert.startTime)).toBeGreaterThanOrEqual(threshold);
    }
    expect(new Set(alerts.map((r) => r.externalId)).size).toBe(alerts.length);
  });

  it("makes no data request for a window where the person has no data", async () => {
    const { sent, wrap } = recording();
    const { ctx } = await sandboxPullContext("dexcom", { wrap });
    const longAgo = { start: Date.now() - 400 * DAY_MS, end: Date.now() - 200 * DAY_MS };
    const pages = await pullAll(spec, ctx, longAgo);
    expect(sent.map((u) => u.pathname)).toEqual([DEXCOM_PATHS.dataRange]);
    expect(pages.map((p) => p.kind)).toEqual(["dataRange"]);

    // The last hour is not released yet either.
    const lastHour = { start: Date.now() - 30 * 60_000, end: Date.now() };
    const recent = await pullAll(spec, (await sandboxPullContext("dexcom")).ctx, lastHour);
    expect(recent.map((p) => p.kind)).toEqual(["dataRange"]);
  });

  it("is idempotent: a re-pull gives the same records, and storing them again writes nothing", async () => {
    const first = await sandboxPullContext("dexcom");
    const again = await sandboxPullContext("dexcom", { subject: first.subject });
    const window = { start: Date.now() - 2 * DAY_MS, end: Date.now() - 2 * HOUR_MS };
    const once = normalizeAll(await pullAll(spec, first.ctx, window)).records;
    const twice = normalizeAll(await pullAll(spec, again.ctx, window)).records;
    expect(twice).toEqual(once);

    const userId = `usr_dexcom_${first.subject}`;
    await ensureUser(database(env.DB), { id: userId, email: `${first.subject}@example.test`, displayName: null, accessSubject: null });
    await userHubFor(env, userId).storeTokens(userId, "dexcom", "sandbox", { accessToken: "a", refreshToken: null, expiresAt: null, scope: null, context: {} });
    const stored = await storeRecords(env, userId, "dexcom", once);
    expect(stored.written).toBe(once.length);
    const restored = await storeRecords(env, userId, "dexcom", twice);
    expect(restored).toMatchObject({ written: 0, unchanged: once.length });
  });

  it("overlapping pulls (the catch-up lookback) collapse to one record per Dexcom recordId", async () => {
    const { ctx, subject } = await sandboxPullContext("dexcom");
    const end = Date.now() - 2 * HOUR_MS;
    const whole = normalizeAll(await pullAll(spec, ctx, { start: end - 2 * DAY_MS, end })).records;
    const older = normalizeAll(
      await pullAll(spec, (await sandboxPullContext("dexcom", { subject })).ctx, { start: end - 2 * DAY_MS, end: end - DAY_MS + 6 * HOUR_MS }),
    ).records;
    const newer = normalizeAll(await pullAll(spec, (await sandboxPullContext("dexcom", { subject })).ctx, { start: end - DAY_MS, end })).records;
    const key = (r: NormalizedRecord) => `${r.kind}:${r.externalId}`;
    const merged = new Map([...older, ...newer].map((r) => [key(r), r]));
    expect(older.length + newer.length).toBeGreaterThan(merged.size);
    expect([...merged.keys()].sort()).toEqual(whole.map(key).sort());
    for (const record of whole) expect(merged.get(key(record))).toEqual(record);
  });

  it("keeps every backfill job and the scheduled catch-up within the subrequest budget", async () => {
    const now = Date.now();
    const jobs = backfillWindows(spec, now);
    expect(Math.min(...jobs.map((w) => w.start))).toBe(now - 30 * DAY_MS);
    expect(spec.maxRequestsPerJob).toBeLessThanOrEqual(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS);
    const { subject } = await sandboxPullContext("dexcom");
    for (const window of [...jobs, scheduledWindow(spec, { syncedThrough: now - 2 * HOUR_MS }, now)]) {
      const { ctx, budget } = await sandboxPullContext("dexcom", { subject, budget: spec.maxRequestsPerJob });
      await pullAll(spec, ctx, window);
      expect(budget.used).toBeLessThanOrEqual(spec.maxRequestsPerJob);
    }
  });

  it("the scheduled catch-up re-reads far enough back to cover Dexcom's delay and late uploads", () => {
    const now = Date.now();
    const window = scheduledWindow(spec, { syncedThrough: now - HOUR_MS }, now);
    // A reading held back three hours (outside the US) is still inside the next run's window.
    expect(window.start).toBeLessThanOrEqual(now - HOUR_MS - 3 * HOUR_MS - spec.cadenceMinutes * 60_000);
  });
});

describe("the adapter's spec", () => {
  it("asks the data host of the configured DEXCOM_REGION", async () => {
    const { sent, wrap } = recording();
    const { ctx } = await sandboxPullContext("dexcom", { wrap });
    await pullAll(dexcomSync, ctx, { start: Date.now() - DAY_MS, end: Date.now() });
    expect(env.DEXCOM_REGION).toBe("sandbox");
    expect(new Set(sent.map((u) => u.origin))).toEqual(new Set([SANDBOX_HOST]));
  });

  it("dexcomSyncFor binds another region's host", async () => {
    const { sent, wrap } = recording();
    const { ctx } = await sandboxPullContext("dexcom", { wrap });
    await pullAll(dexcomSyncFor("https://api.dexcom.eu"), ctx, { start: Date.now() - DAY_MS, end: Date.now() });
    expect(sent.length).toBeGreaterThan(1);
    expect(new Set(sent.map((u) => u.origin))).toEqual(new Set(["https://api.dexcom.eu"]));
  });

  it("keeps pulling over the whole window when dataRange is unreadable, and normalize reports it", async () => {
    const brokenDataRange =
      (inner: typeof fetch): typeof fetch =>
      async (input, init) => {
        const request = new Request(input, init);
        if (new URL(request.url).pathname === DEXCOM_PATHS.dataRange) return Response.json({ egvs: "soon" });
        return inner(request);
      };
    const { sent, wrap } = recording();
    const { ctx } = await sandboxPullContext("dexcom", { wrap: (inner) => wrap(brokenDataRange(inner)) });
    const window = { start: Date.now() - DAY_MS, end: Date.now() };
    const pages = await pullAll(spec, ctx, window);
    expect(() => spec.normalize("dataRange", pages[0]!.body)).toThrow(/dataRange/);
    const egvs = sent.filter((u) => u.pathname === DEXCOM_PATHS.egvs);
    expect(egvs).toHaveLength(1);
    expect(windowOf(egvs[0]!).start).toBe(Math.floor(window.start / 1000) * 1000);
    expect(normalizeAll(pagesOf(pages, "egvs")).records.length).toBeGreaterThan(200);
  });
});
