import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createSandboxFetch } from "../../sandbox/fetch";
import { issueSandboxAccessToken } from "../../sandbox/grants";
import { dexcomDateTime, parseDexcomTime } from "./api";
import { normalizeDexcom } from "./normalize";
import { SANDBOX_DATA_DELAY_MS } from "./sandbox";

const HOST = "https://sandbox-api.dexcom.com";
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
// A fixed sandbox person, so the statistical checks below are about one known (if moving) month of data.
const SUBJECT = "sbx-dexcom-sandbox-test";

interface Egv {
  recordId: string;
  systemTime: string;
  displayTime: string;
  value: number;
  trend: string;
  trendRate: number;
  [field: string]: unknown;
}

interface Page<R> {
  recordType: string;
  recordVersion: string;
  userId: string;
  records: R[];
}

const sandboxFetch = createSandboxFetch(env);
let token: string;

beforeAll(async () => {
  token = await issueSandboxAccessToken(env, "dexcom", SUBJECT);
});

function get(path: string, query: Record<string, string> = {}, bearer: string | null = token): Promise<Response> {
  const url = new URL(path, HOST);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return sandboxFetch(url, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
}

async function page<R>(path: string, start: number, end: number): Promise<Page<R>> {
  const response = await get(path, { startDate: dexcomDateTime(start), endDate: dexcomDateTime(end) });
  expect(response.status).toBe(200);
  return response.json();
}

const timeOf = (record: { systemTime: string }) => parseDexcomTime(record.systemTime)!;
const localHour = (record: { displayTime: string }) => Number(record.displayTime.slice(11, 13));

describe("Dexcom sandbox: access and windows", () => {
  it("requires a Dexcom bearer token, as the real API does", async () => {
    expect((await get("/v3/users/self/dataRange", {}, null)).status).toBe(401);
    const oura = await issueSandboxAccessToken(env, "oura", SUBJECT);
    expect((await get("/v3/users/self/dataRange", {}, oura)).status).toBe(401);
  });

  it("answers 400 without startDate/endDate, with an inverted window, or with more than 30 days", async () => {
    const end = Date.now() - 2 * HOUR_MS;
    expect((await get("/v3/users/self/egvs")).status).toBe(400);
    expect((await get("/v3/users/self/events", { startDate: dexcomDateTime(end - DAY_MS) })).status).toBe(400);
    expect((await get("/v3/users/self/egvs", { startDate: "yesterday", endDate: dexcomDateTime(end) })).status).toBe(400);
    expect((await get("/v3/users/self/egvs", { startDate: dexcomDateTime(end), endDate: dexcomDateTime(end - HOUR_MS) })).status).toBe(400);
    expect((await get("/v3/users/self/calibrations", { startDate: dexcomDateTime(end - 30 * DAY_MS - 1000), endDate: dexcomDateTime(end) })).status).toBe(400);
    expect((await get("/v3/users/self/egvs", { startDate: dexcomDateTime(end - 30 * DAY_MS), endDate: dexcomDateTime(end) })).status).toBe(200);
  });
});

describe("Dexcom sandbox: estimated glucose values", () => {
  let month: Egv[];
  let windowStart: number;
  let requestedAt: number;

  beforeAll(async () => {
    requestedAt = Date.now();
    windowStart = requestedAt - 30 * DAY_MS;
    month = (await page<Egv>("/v3/users/self/egvs", windowStart, requestedAt)).records;
  });

  it("answers in the v3 envelope with exactly the v3 EGV fields", async () => {
    const body = await page<Egv>("/v3/users/self/egvs", requestedAt - 6 * HOUR_MS, requestedAt);
    expect(body).toMatchObject({ recordType: "egv", recordVersion: "3.0", userId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(body.records.length).toBeGreaterThan(40);
    for (const record of body.records) {
      expect(Object.keys(record).sort()).toEqual([
        "displayDevice",
        "displayTime",
        "rateUnit",
        "recordId",
        "status",
        "systemTime",
        "transmitterGeneration",
        "transmitterId",
        "transmitterTicks",
        "trend",
        "trendRate",
        "unit",
        "value",
      ]);
      expect(record).toMatchObject({
        unit: "mg/dL",
        rateUnit: "mg/dL/min",
        status: "ok",
        transmitterGeneration: "g7",
        transmitterId: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(record.recordId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(record.systemTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      // The phone app's displayTime is local time with its offset, the same instant as systemTime.
      expect(parseDexcomTime(record.displayTime)).toBe(timeOf(record));
      expect(record.displayTime).toMatch(/[+-]\d{2}:\d{2}$/);
    }
  });

  it("returns readings newest first, 5 minutes apart, only within the window", () => {
    const times = month.map(timeOf);
    for (let i = 1; i < times.length; i++) {
      const step = times[i - 1]! - times[i]!;
      expect(step).toBeGreaterThan(0);
      expect(step % (5 * MINUTE_MS)).toBe(0);
    }
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Math.floor(windowStart / 1000) * 1000);
  });

  it("releases nothing newer than an hour ago (Dexcom's data delay)", () => {
    const newest = timeOf(month[0]!);
    expect(newest).toBeLessThanOrEqual(Date.now() - SANDBOX_DATA_DELAY_MS);
  });

  it("has a missing 15-minute stretch once a day", () => {
    const times = month.map(timeOf);
    const gaps = times.slice(1).filter((t, i) => times[i]! - t === 20 * MINUTE_MS);
    // 30 days: one 3-reading signal gap a day (a sensor warm-up makes a different, longer gap).
    expect(gaps.length).toBeGreaterThanOrEqual(27);
    expect(gaps.length).toBeLessThanOrEqual(31);
  });

  it("looks like a day with a CGM: ~110 baseline, meal rises to 170–220, flat nights, occasional lows", () => {
    const values = month.map((r) => r.value);
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(95);
    expect(median).toBeLessThanOrEqual(135);
    // Two meals close together can stack a little higher than one.
    expect(Math.max(...values)).toBeLessThanOrEqual(260);
    expect(Math.min(...values)).toBeLessThanOrEqual(75);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(50);

    const byLocalDay = new Map<string, Egv[]>();
    for (const r of month) byLocalDay.set(r.displayTime.slice(0, 10), [...(byLocalDay.get(r.displayTime.slice(0, 10)) ?? []), r]);
    const fullDays = [...byLocalDay.values()].filter((day) => day.length > 250);
    expect(fullDays.length).toBeGreaterThanOrEqual(25);
    for (const day of fullDays) expect(Math.max(...day.map((r) => r.value))).toBeGreaterThanOrEqual(150);

    const night = month.filter((r) => localHour(r) >= 0 && localHour(r) < 5);
    const flat = night.filter((r) => r.trend === "flat").length;
    expect(flat / night.length).toBeGreaterThan(0.85);
  });

  it("gives each reading a trend and rate computed from the readings before it", () => {
    const byTime = new Map(month.map((r) => [timeOf(r), r]));
    let checked = 0;
    for (const record of month) {
      const before = byTime.get(timeOf(record) - 15 * MINUTE_MS);
      if (!before) continue;
      expect(record.trendRate).toBeCloseTo((record.value - before.value) / 15, 1);
      checked++;
    }
    expect(checked).toBeGreaterThan(month.length * 0.9);
    for (const record of month) {
      const expected =
        record.trendRate >= 2 ? ["singleUp", "doubleUp"] : record.trendRate <= -2 ? ["singleDown", "doubleDown"] : ["flat", "fortyFiveUp", "fortyFiveDown"];
      expect(expected).toContain(record.trend);
    }
  });

  it("is deterministic: the same window gives the same records; another person gets other values", async () => {
    const start = requestedAt - 2 * DAY_MS;
    const end = requestedAt - 1 * DAY_MS;
    const again = await page<Egv>("/v3/users/self/egvs", start, end);
    const before = month.filter((r) => timeOf(r) >= Math.floor(start / 1000) * 1000 && timeOf(r) < Math.ceil(end / 1000) * 1000);
    expect(again.records).toEqual(before);

    const other = await issueSandboxAccessToken(env, "dexcom", `${SUBJECT}-other`);
    const response = await get("/v3/users/self/egvs", { startDate: dexcomDateTime(start), endDate: dexcomDateTime(end) }, other);
    const otherBody = (await response.json()) as Page<Egv>;
    expect(otherBody.userId).not.toBe(again.userId);
    expect(otherBody.records.map((r) => r.value)).not.toEqual(again.records.map((r) => r.value));
  });

  it("normalizes without a single skipped reading", () => {
    const { records, skipped } = normalizeDexcom("egvs", { recordType: "egv", recordVersion: "3.0", userId: "u", records: month });
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(month.length);
  });
});

describe("Dexcom sandbox: calibrations, events, devices, dataRange", () => {
  const requestedAt = Date.now();
  const start = requestedAt - 20 * DAY_MS;

  it("logs carbs and insulin at meals and a daily long-acting dose, with the value as a string", async () => {
    const body = await page<Record<string, unknown>>("/v3/users/self/events", start, requestedAt);
    expect(body).toMatchObject({ recordType: "events", recordVersion: "3.0" });
    const created = body.records.filter((r) => r.eventStatus === "created");
    const count = (type: string, subType: string | null) => created.filter((r) => r.eventType === type && r.eventSubType === subType).length;
    expect(count("carbs", null)).toBeGreaterThanOrEqual(57);
    // A bolus 12 minutes and carbs 10 minutes before each meal: only the window's edges can split a pair.
    expect(Math.abs(count("insulin", "fastActing") - count("carbs", null))).toBeLessThanOrEqual(2);
    expect(count("insulin", "longActing")).toBeGreaterThanOrEqual(19);
    for (const record of body.records) {
      expect(typeof record.value).toBe("string");
      expect(timeOf(record as { systemTime: string })).toBeLessThanOrEqual(Date.now() - SANDBOX_DATA_DELAY_MS);
    }
    const { records, skipped } = normalizeDexcom("events", body);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(body.records.length);
    const carbs = records.filter((r) => r.kind === "cgm_event" && (r.data as { event_type: string }).event_type === "carbs");
    for (const r of carbs) expect((r.data as { value: number }).value).toBeGreaterThanOrEqual(30);
  });

  it("has one or two fingerstick calibrations a day, close to the sensor", async () => {
    const body = await page<Record<string, unknown> & { systemTime: string; value: number }>("/v3/users/self/calibrations", start, requestedAt);
    expect(body.records.length).toBeGreaterThanOrEqual(19);
    expect(body.records.length).toBeLessThanOrEqual(42);
    const { records, skipped } = normalizeDexcom("calibrations", body);
    expect(skipped).toEqual([]);
    expect(records.every((r) => r.kind === "glucose_calibration")).toBe(true);
    for (const record of body.records) {
      expect(record.value).toBeGreaterThan(40);
      expect(record.value).toBeLessThan(260);
    }
  });

  it("lists the G7 and its alert settings on /devices", async () => {
    const response = await get("/v3/users/self/devices");
    const body = (await response.json()) as Page<{ lastUploadDate: string; transmitterGeneration: string }>;
    expect(body).toMatchObject({ recordType: "device", recordVersion: "3.0" });
    expect(body.records[0]!.transmitterGeneration).toBe("g7");
    expect(parseDexcomTime(body.records[0]!.lastUploadDate)).toBeLessThanOrEqual(Date.now());
    expect(normalizeDexcom("devices", body)).toEqual({ records: [], skipped: [] });
  });

  it("reports the span of each kind, and only newer data after lastSyncTime", async () => {
    const response = await get("/v3/users/self/dataRange");
    const range = (await response.json()) as Record<string, { start: { systemTime: string }; end: { systemTime: string } }>;
    expect(range).toMatchObject({ recordType: "dataRange", recordVersion: "3.0" });
    for (const kind of ["egvs", "calibrations", "events"]) {
      const start = parseDexcomTime(range[kind]!.start.systemTime)!;
      const end = parseDexcomTime(range[kind]!.end.systemTime)!;
      expect(start).toBeLessThan(end);
      expect(end).toBeLessThanOrEqual(Date.now() - SANDBOX_DATA_DELAY_MS);
      // The sandbox person has 60–89 days of history; the first calibration may come a day or so after it begins.
      expect(start).toBeLessThanOrEqual(Date.now() - 57 * DAY_MS);
    }
    const egvsEnd = parseDexcomTime(range.egvs!.end.systemTime)!;
    const since = (await (await get("/v3/users/self/dataRange", { lastSyncTime: `${dexcomDateTime(egvsEnd - 3 * HOUR_MS)}Z` })).json()) as typeof range;
    expect(parseDexcomTime(since.egvs!.start.systemTime)).toBeGreaterThan(egvsEnd - 3 * HOUR_MS);
    expect(since.egvs!.end).toEqual(range.egvs!.end);
    const nothingNew = (await (await get("/v3/users/self/dataRange", { lastSyncTime: `${dexcomDateTime(Date.now())}Z` })).json()) as typeof range;
    expect(nothingNew.egvs).toBeUndefined();
    expect(nothingNew.events).toBeUndefined();
  });
});
