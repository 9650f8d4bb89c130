import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import type { NormalizedRecord } from "../../domain/records";
import { createSandboxFetch } from "../../sandbox/fetch";
import { issueSandboxAccessToken } from "../../sandbox/grants";
import { ENGINE_SUBREQUESTS, SUBREQUEST_LIMIT } from "../../sync/run";
import type { SyncWindow } from "../types";
import { OURA_KINDS, type OuraKind } from "./normalize";
import { ouraSync } from "./sync";

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A backfill-job-sized window of finished days: ends at the UTC midnight before yesterday's. */
function pastWindow(days = ouraSync.backfillJobDays): SyncWindow {
  const end = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS;
  return { start: end - days * DAY_MS, end };
}

/** Records every URL the pull asks for, so tests can see the query Oura receives. */
function recordingUrls(urls: URL[]) {
  return (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      urls.push(new URL(new Request(input, init).url));
      return inner(input, init);
    };
}

function normalizeAll(pages: { kind: OuraKind; body: unknown }[]) {
  const records: NormalizedRecord[] = [];
  const skipped: { kind: OuraKind; reason: string }[] = [];
  for (const page of pages) {
    const result = ouraSync.normalize(page.kind, page.body);
    records.push(...result.records);
    skipped.push(...result.skipped.map((item) => ({ kind: page.kind, reason: item.reason })));
  }
  return { records, skipped };
}

const ofKind = <K extends NormalizedRecord["kind"]>(records: NormalizedRecord[], kind: K) =>
  records.filter((record): record is NormalizedRecord<K> => record.kind === kind);

describe("ouraSync settings", () => {
  it("pulls the five collections and keeps one backfill job within a free-plan invocation", () => {
    expect(ouraSync.kinds).toEqual(OURA_KINDS);
    expect(ouraSync.backfillDays).toBe(30);
    expect(ouraSync.cadenceMinutes).toBe(15);
    expect(ouraSync.lookbackHours).toBeGreaterThanOrEqual(24);
    expect(ouraSync.maxRequestsPerJob).toBeLessThanOrEqual(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS);
    // 5000 requests per 5 minutes is Oura's limit; a whole 30-day backfill is a small fraction of it.
    expect((ouraSync.backfillDays / ouraSync.backfillJobDays) * ouraSync.maxRequestsPerJob).toBeLessThan(500);
  });
});

describe("ouraSync.pull against the sandbox", () => {
  it("follows next_token to the last page of every collection, within the job's request budget", async () => {
    const urls: URL[] = [];
    const { ctx, budget } = await sandboxPullContext("oura", { wrap: recordingUrls(urls) });
    const pages = await pullAll(ouraSync, ctx, pastWindow());

    expect(budget.used).toBe(pages.length);
    expect(budget.used).toBeLessThanOrEqual(ouraSync.maxRequestsPerJob);
    for (const kind of OURA_KINDS) {
      const ofThisKind = pages.filter((page) => page.kind === kind);
      // The sandbox pages 3 days or 6 hours at a time, so a 5-day job spans several pages of each collection.
      expect(ofThisKind.length, kind).toBeGreaterThan(1);
      const tokens = ofThisKind.map((page) => (page.body as { next_token: string | null }).next_token);
      expect(tokens.at(-1), kind).toBeNull();
      expect(
        tokens.slice(0, -1).every((token) => typeof token === "string"),
        kind,
      ).toBe(true);
    }
    // Pages after the first carry the token the previous page returned.
    const heartRateUrls = urls.filter((url) => url.pathname.endsWith("/heartrate"));
    const heartRateTokens = pages.filter((page) => page.kind === "heartrate").map((page) => (page.body as { next_token: string | null }).next_token);
    expect(heartRateUrls.slice(1).map((url) => url.searchParams.get("next_token"))).toEqual(heartRateTokens.slice(0, -1));
  });

  it("asks for the window's dates padded by a day each side, and for heart rate the exact instants with '+' escaped", async () => {
    const urls: URL[] = [];
    const { ctx } = await sandboxPullContext("oura", { wrap: recordingUrls(urls) });
    const window = pastWindow();
    await pullAll(ouraSync, ctx, window);

    const firstOf = (kind: string) => urls.find((url) => url.pathname === `/v2/usercollection/${kind}` && !url.searchParams.has("next_token"))!;
    for (const kind of ["daily_sleep", "sleep", "daily_readiness", "daily_activity"]) {
      expect(firstOf(kind).searchParams.get("start_date"), kind).toBe(isoDay(window.start - DAY_MS));
      expect(firstOf(kind).searchParams.get("end_date"), kind).toBe(isoDay(window.end - 1 + DAY_MS));
    }
    const heartRate = firstOf("heartrate");
    expect(Date.parse(heartRate.searchParams.get("start_datetime")!)).toBe(window.start);
    expect(Date.parse(heartRate.searchParams.get("end_datetime")!)).toBe(window.end);
    expect(heartRate.search).toContain("%2B00%3A00");
  });

  it("stays inside the window: heart rate within its instants, daily documents within its padded dates, every day covered", async () => {
    const { ctx } = await sandboxPullContext("oura");
    const window = pastWindow();
    const { records, skipped } = normalizeAll(await pullAll(ouraSync, ctx, window));
    expect(skipped).toEqual([]);

    const heartRate = ofKind(records, "heart_rate");
    expect(heartRate.every((sample) => sample.startTime >= window.start && sample.startTime < window.end)).toBe(true);
    const firstDay = isoDay(window.start - DAY_MS);
    const lastDay = isoDay(window.end - 1 + DAY_MS);
    const dates = [...ofKind(records, "daily_sleep"), ...ofKind(records, "readiness"), ...ofKind(records, "daily_activity")].map((record) => record.data.date);
    expect(dates.every((date) => date >= firstDay && date <= lastDay)).toBe(true);
    const sleepDays = ofKind(records, "sleep_session").map((session) => (session.raw as { day: string }).day);
    for (let t = window.start; t < window.end; t += DAY_MS) {
      const day = isoDay(t);
      expect(
        ofKind(records, "daily_sleep").some((record) => record.data.date === day),
        `daily_sleep ${day}`,
      ).toBe(true);
      expect(
        ofKind(records, "readiness").some((record) => record.data.date === day),
        `readiness ${day}`,
      ).toBe(true);
      expect(
        ofKind(records, "daily_activity").some((record) => record.data.date === day),
        `daily_activity ${day}`,
      ).toBe(true);
      expect(sleepDays, `sleep ${day}`).toContain(day);
    }
  });

  it("never repeats a record across pages", async () => {
    const { ctx } = await sandboxPullContext("oura");
    const { records } = normalizeAll(await pullAll(ouraSync, ctx, pastWindow()));
    const keys = records.map((record) => `${record.kind}|${record.externalId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("returns plausible values in the documented units", async () => {
    const { ctx } = await sandboxPullContext("oura");
    const { records } = normalizeAll(await pullAll(ouraSync, ctx, pastWindow()));

    const mainSleeps = ofKind(records, "sleep_session").filter((session) => session.data.is_main_sleep);
    expect(mainSleeps.length).toBeGreaterThanOrEqual(ouraSync.backfillJobDays);
    for (const session of mainSleeps) {
      expect(session.data.total_sleep_time.value).toBeGreaterThanOrEqual(5 * 3600);
      expect(session.data.total_sleep_time.value).toBeLessThanOrEqual(9 * 3600);
      expect(session.data.time_in_bed!.value).toBe((session.endTime! - session.startTime) / 1000);
      const stages = session.data.sleep_stages!;
      expect(stages.deep!.value + stages.light!.value + stages.rem!.value).toBe(session.data.total_sleep_time.value);
    }
    for (const score of [...ofKind(records, "daily_sleep"), ...ofKind(records, "readiness")].map((record) => record.data.score)) {
      expect(score).toBeGreaterThanOrEqual(60);
      expect(score).toBeLessThanOrEqual(95);
    }
    for (const activity of ofKind(records, "daily_activity")) {
      expect(activity.data.step_count.value).toBeGreaterThanOrEqual(4000);
      expect(activity.data.step_count.value).toBeLessThanOrEqual(14000);
      expect(activity.data.total_energy_burned!.value).toBeGreaterThan(activity.data.active_energy_burned!.value);
    }
    const heartRate = ofKind(records, "heart_rate");
    // 5-minute samples over 5 days, less the odd gap while the ring is off.
    expect(heartRate.length).toBeGreaterThan(0.9 * 5 * 288);
    expect(heartRate.length).toBeLessThanOrEqual(5 * 288);
    expect(heartRate.every((sample) => sample.data.heart_rate.value >= 40 && sample.data.heart_rate.value <= 140)).toBe(true);
    const sleeping = heartRate.filter((sample) => sample.data.context === "sleep").map((sample) => sample.data.heart_rate.value);
    const resting = Math.min(...sleeping);
    expect(resting).toBeGreaterThanOrEqual(44);
    expect(resting).toBeLessThanOrEqual(70);
  });

  it("gives the same records on a second pull of the same window (a re-sync changes nothing)", async () => {
    const { ctx, subject } = await sandboxPullContext("oura");
    const window = pastWindow();
    const first = normalizeAll(await pullAll(ouraSync, ctx, window));
    const again = await sandboxPullContext("oura", { subject });
    const second = normalizeAll(await pullAll(ouraSync, again.ctx, window));
    expect(second).toEqual(first);
    expect(first.records.length).toBeGreaterThan(0);
  });

  it("gives another person different data", async () => {
    const window = pastWindow(2);
    const a = normalizeAll(await pullAll(ouraSync, (await sandboxPullContext("oura")).ctx, window));
    const b = normalizeAll(await pullAll(ouraSync, (await sandboxPullContext("oura")).ctx, window));
    const steps = (result: typeof a) => ofKind(result.records, "daily_activity").map((record) => record.data.step_count.value);
    expect(steps(a)).not.toEqual(steps(b));
  });

  it("returns nothing from the future", async () => {
    const { ctx } = await sandboxPullContext("oura");
    const now = Date.now();
    const { records } = normalizeAll(await pullAll(ouraSync, ctx, { start: now - DAY_MS, end: now + 2 * DAY_MS }));
    const measured = [...ofKind(records, "heart_rate"), ...ofKind(records, "sleep_session"), ...ofKind(records, "hrv")];
    expect(measured.every((record) => record.startTime <= now && (record.endTime === null || record.endTime <= now))).toBe(true);
    expect(ofKind(records, "heart_rate").length).toBeGreaterThan(0);
    // Daily documents are filed under the person's local date, which is at most UTC+14 ahead of UTC.
    const latestLocalDate = isoDay(now + 14 * 3_600_000);
    const dates = [...ofKind(records, "daily_sleep"), ...ofKind(records, "readiness"), ...ofKind(records, "daily_activity")].map((record) => record.data.date);
    expect(dates.every((date) => date <= latestLocalDate)).toBe(true);
    // An activity day still in progress is not served (it would change under a re-sync).
    expect(ofKind(records, "daily_activity").every((record) => record.startTime + DAY_MS <= now)).toBe(true);
  });

  it("an empty or inverted window makes no request", async () => {
    const { ctx, budget } = await sandboxPullContext("oura");
    const now = Date.now();
    expect(await pullAll(ouraSync, ctx, { start: now, end: now })).toEqual([]);
    expect(budget.used).toBe(0);
  });
});

describe("the Oura sandbox data API", () => {
  async function call(path: string, token?: string) {
    const bearer = token ?? (await issueSandboxAccessToken(env, "oura", `sbx-test-${crypto.randomUUID().slice(0, 8)}`));
    return createSandboxFetch(env)(`https://api.ouraring.com${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
  }

  it("requires the bearer token, as Oura does", async () => {
    const response = await createSandboxFetch(env)("https://api.ouraring.com/v2/usercollection/daily_sleep?start_date=2024-01-01&end_date=2024-01-02");
    expect(response.status).toBe(401);
  });

  it("rejects an unescaped '+' in start_datetime (it arrives as a space), like Oura", async () => {
    const response = await call("/v2/usercollection/heartrate?start_datetime=2024-01-01T00:00:00+00:00&end_datetime=2024-01-01T06:00:00%2B00:00");
    expect(response.status).toBe(422);
  });

  it("rejects a next_token it did not issue, and a start date after the end date", async () => {
    expect((await call("/v2/usercollection/sleep?next_token=not-a-token")).status).toBe(400);
    expect((await call("/v2/usercollection/sleep?start_date=2024-01-05&end_date=2024-01-01")).status).toBe(400);
  });

  it("answers in the published shapes: ids stable per person and day, PublicModifiedSleepModel and PublicHeartRateRow fields", async () => {
    const subject = `sbx-test-${crypto.randomUUID().slice(0, 8)}`;
    const token = await issueSandboxAccessToken(env, "oura", subject);
    const day = isoDay(Date.now() - 3 * DAY_MS);
    const sleep = (await (await call(`/v2/usercollection/sleep?start_date=${day}&end_date=${day}`, token)).json()) as {
      data: Record<string, unknown>[];
      next_token: string | null;
    };
    const again = (await (await call(`/v2/usercollection/sleep?start_date=${day}&end_date=${day}`, token)).json()) as typeof sleep;
    expect(sleep.next_token).toBeNull();
    expect(again.data.map((doc) => doc.id)).toEqual(sleep.data.map((doc) => doc.id));
    const main = sleep.data.find((doc) => doc.type === "long_sleep")!;
    for (const field of ["id", "meta", "bedtime_end", "bedtime_start", "day", "low_battery_alert", "period", "time_in_bed"])
      expect(main, field).toHaveProperty(field);
    expect(main.day).toBe(day);

    const start = Date.parse(`${day}T00:00:00Z`);
    const heartRate = (await (
      await call(
        `/v2/usercollection/heartrate?start_datetime=${encodeURIComponent(new Date(start).toISOString())}&end_datetime=${encodeURIComponent(new Date(start + 3_600_000).toISOString())}`,
        token,
      )
    ).json()) as { data: Record<string, unknown>[] };
    for (const row of heartRate.data) {
      expect(Object.keys(row).sort()).toEqual(["bpm", "source", "timestamp", "timestamp_unix"]);
      expect(Date.parse(row.timestamp as string)).toBe(row.timestamp_unix);
    }
  });
});
