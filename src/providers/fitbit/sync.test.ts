import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import { MalformedPayloadError, type NormalizedRecord } from "../../domain/records";
import { createSandboxFetch } from "../../sandbox/fetch";
import { issueSandboxAccessToken } from "../../sandbox/grants";
import { ProviderRequestError } from "../../sync/pull-context";
import { ENGINE_SUBREQUESTS, SUBREQUEST_LIMIT } from "../../sync/run";
import type { SyncWindow } from "../types";
import type { FitbitKind } from "./normalize";
import {
  civilDaysOf,
  DAILY_RESTING_HEART_RATE_POINTS,
  EXERCISE_POINTS,
  fitbitSync,
  HEART_RATE_PAGE_SIZE,
  HEART_RATE_POINTS,
  SLEEP_POINTS,
  STEPS_DAILY_ROLL_UP,
  WEIGHT_POINTS,
} from "./sync";

const DAY_MS = 86_400_000;
const HEART_RATE_SAMPLES_PER_DAY = 144; // the sandbox's one sample every 10 minutes

type Json = Record<string, any>;
interface SentRequest {
  method: string;
  url: URL;
  body: Json | null;
}

/** A fetch wrapper that remembers every request the adapter sent, in order. */
function recording() {
  const sent: SentRequest[] = [];
  const wrap =
    (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      const request = new Request(input, init);
      const text = request.method === "POST" ? await request.clone().text() : "";
      sent.push({ method: request.method, url: new URL(request.url), body: text ? (JSON.parse(text) as Json) : null });
      return inner(request);
    };
  return { sent, wrap };
}

/** Whole UTC days ending at midnight a few days back, so every night, day total and resting rate is complete. */
function settledPast(days: number): SyncWindow {
  const end = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;
  return { start: end - days * DAY_MS, end };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const civil = (ms: number) => {
  const at = new Date(ms);
  return { date: { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() } };
};
const endpointOf = (request: SentRequest) => `${request.url.origin}${request.url.pathname}`;

function normalizeAll(pages: { kind: FitbitKind; body: unknown }[]) {
  const records: NormalizedRecord[] = [];
  const skipped: unknown[] = [];
  for (const page of pages) {
    const result = fitbitSync.normalize(page.kind, page.body);
    records.push(...result.records);
    skipped.push(...result.skipped);
  }
  return { records, skipped };
}

describe("fitbitSync.pull against the sandbox", () => {
  it("pulls every page of every kind with the documented requests, and normalizes all of it", async () => {
    const window = settledPast(3);
    const { sent, wrap } = recording();
    const { ctx, budget } = await sandboxPullContext("fitbit", { wrap });
    const pages = await pullAll(fitbitSync, ctx, window);

    expect([...new Set(pages.map((p) => p.kind))]).toEqual(["steps", "daily_resting_heart_rate", "sleep", "exercise", "weight", "heart_rate"]);
    expect(budget.used).toBe(sent.length);
    expect(budget.used).toBeLessThanOrEqual(fitbitSync.maxRequestsPerJob);

    // steps: one dailyRollUp over every civil day the window touches in any time zone, one-day windows.
    const [stepsRequest, ...listRequests] = sent;
    expect(stepsRequest!.method).toBe("POST");
    expect(endpointOf(stepsRequest!)).toBe(STEPS_DAILY_ROLL_UP);
    expect(stepsRequest!.body).toEqual({ range: { start: civil(window.start - DAY_MS), end: civil(window.end + DAY_MS) }, windowSizeDays: 1 });

    const byEndpoint = (endpoint: string) => listRequests.filter((r) => endpointOf(r) === endpoint);
    const resting = byEndpoint(DAILY_RESTING_HEART_RATE_POINTS);
    const sleep = byEndpoint(SLEEP_POINTS);
    const heartRate = byEndpoint(HEART_RATE_POINTS);
    const exercise = byEndpoint(EXERCISE_POINTS);
    const weight = byEndpoint(WEIGHT_POINTS);
    expect(resting.length + sleep.length + exercise.length + weight.length + heartRate.length).toBe(listRequests.length);
    // Exercise filters on its civil start date only (physical session times are for sleep and ECG).
    expect(
      exercise.every(
        (r) =>
          r.url.searchParams.get("filter") ===
            `exercise.interval.civil_start_time >= "${isoDay(window.start - DAY_MS)}" AND exercise.interval.civil_start_time < "${isoDay(window.end + DAY_MS)}"` &&
          r.url.searchParams.get("pageSize") === "25",
      ),
    ).toBe(true);
    expect(resting[0]!.url.searchParams.get("filter")).toBe(
      `daily_resting_heart_rate.date >= "${isoDay(window.start - DAY_MS)}" AND daily_resting_heart_rate.date < "${isoDay(window.end + DAY_MS)}"`,
    );
    const physical = (field: string) =>
      `${field} >= "${new Date(window.start).toISOString().replace(".000", "")}" AND ${field} < "${new Date(window.end).toISOString().replace(".000", "")}"`;
    expect(sleep.every((r) => r.url.searchParams.get("filter") === physical("sleep.interval.end_time") && r.url.searchParams.get("pageSize") === "25")).toBe(
      true,
    );
    expect(
      heartRate.every(
        (r) =>
          r.url.searchParams.get("filter") === physical("heart_rate.sample_time.physical_time") &&
          r.url.searchParams.get("pageSize") === String(HEART_RATE_PAGE_SIZE),
      ),
    ).toBe(true);

    // Pagination: every list kind needed several pages; each follow-up carries the previous nextPageToken; the last is "".
    for (const [kind, requests] of [
      ["daily_resting_heart_rate", resting],
      ["sleep", sleep],
      ["heart_rate", heartRate],
    ] as const) {
      const bodies = pages.filter((p) => p.kind === kind).map((p) => p.body as Json);
      expect(bodies.length).toBeGreaterThan(1);
      expect(bodies.length).toBe(requests.length);
      expect(requests[0]!.url.searchParams.has("pageToken")).toBe(false);
      bodies.slice(0, -1).forEach((body, i) => {
        expect(requests[i + 1]!.url.searchParams.get("pageToken")).toBe(body.nextPageToken);
      });
      expect(bodies.at(-1)!.nextPageToken).toBe("");
    }

    const { records, skipped } = normalizeAll(pages);
    expect(skipped).toEqual([]);
    const ofKind = (kind: string) => records.filter((r) => r.kind === kind);
    const civilDays = (Date.parse(civilDaysOf(window).to) - Date.parse(civilDaysOf(window).from)) / DAY_MS;
    expect(
      ofKind("daily_activity")
        .map((r) => r.externalId)
        .sort(),
    ).toEqual(Array.from({ length: civilDays }, (_, i) => isoDay(window.start - DAY_MS + i * DAY_MS)));
    expect(ofKind("resting_heart_rate")).toHaveLength(civilDays);
    expect(ofKind("sleep_session")).toHaveLength(3);
    expect(ofKind("sleep_session").every((r) => r.endTime! >= window.start && r.endTime! < window.end)).toBe(true);
    const samples = ofKind("heart_rate");
    expect(samples).toHaveLength(3 * HEART_RATE_SAMPLES_PER_DAY);
    expect(new Set(samples.map((r) => r.externalId)).size).toBe(samples.length);
    expect(samples.every((r) => r.startTime >= window.start && r.startTime < window.end)).toBe(true);
    expect(weight.every((r) => r.url.searchParams.get("filter") === physical("weight.sample_time.physical_time"))).toBe(true);
    // The sandbox person weighs in on about half the days and works out on most: a 3-day window may hold none of
    // either, so each is checked against what the API returned for this person rather than against "at least one".
    const returned = (kind: FitbitKind) => pages.filter((p) => p.kind === kind).flatMap((p) => ((p.body as Json).dataPoints as unknown[] | undefined) ?? []);
    expect(weight.length).toBeGreaterThan(0);
    expect(exercise.length).toBeGreaterThan(0);
    const weighIns = ofKind("body_weight");
    expect(weighIns).toHaveLength(returned("weight").length);
    expect(weighIns.every((r) => r.startTime >= window.start && r.startTime < window.end)).toBe(true);
    expect(new Set(weighIns.map((r) => r.externalId)).size).toBe(weighIns.length);
    const workouts = ofKind("workout");
    expect(workouts).toHaveLength(returned("exercise").length);
    expect(new Set(workouts.map((r) => r.externalId)).size).toBe(workouts.length);
    expect(workouts.every((r) => r.externalId.startsWith("users/") && r.endTime! > r.startTime)).toBe(true);
    // Newest first, across pages, as the service documents.
    expect(samples.map((r) => r.startTime)).toEqual([...samples.map((r) => r.startTime)].sort((a, b) => b - a));
  });

  it("gives identical records when the same window is pulled again", async () => {
    const window = settledPast(2);
    const first = await sandboxPullContext("fitbit");
    const again = await sandboxPullContext("fitbit", { subject: first.subject });
    const shape = (records: NormalizedRecord[]) => records.map((r) => [r.kind, r.externalId, r.startTime, r.endTime, r.data]);
    const firstRecords = normalizeAll(await pullAll(fitbitSync, first.ctx, window)).records;
    const againRecords = normalizeAll(await pullAll(fitbitSync, again.ctx, window)).records;
    expect(firstRecords.length).toBeGreaterThan(0);
    expect(shape(againRecords)).toEqual(shape(firstRecords));

    const someoneElse = normalizeAll(await pullAll(fitbitSync, (await sandboxPullContext("fitbit")).ctx, window)).records;
    expect(shape(someoneElse)).not.toEqual(shape(firstRecords));
  });

  it("never gets data from the future, even for a window that ends tomorrow", async () => {
    const now = Date.now();
    const { ctx } = await sandboxPullContext("fitbit");
    const { records } = normalizeAll(await pullAll(fitbitSync, ctx, { start: now - DAY_MS, end: now + DAY_MS }));
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r) => r.kind === "heart_rate" || r.kind === "sleep_session").every((r) => (r.endTime ?? r.startTime) <= now)).toBe(true);
    expect(records.filter((r) => r.kind === "daily_activity").every((r) => r.startTime <= now)).toBe(true);
  });
});

describe("fitbitSync.pull: budget and provider quirks", () => {
  it("fits a backfill job into the invocation's subrequest budget even at one heart-rate sample per second", () => {
    // Steps, resting heart rate, sleep and weight one page each; exercise two (25 a page over the job's civil days).
    const worstCase = fitbitSync.backfillJobDays * Math.ceil(86_400 / HEART_RATE_PAGE_SIZE) + 4 + 2;
    expect(fitbitSync.maxRequestsPerJob).toBeGreaterThanOrEqual(worstCase);
    expect(fitbitSync.maxRequestsPerJob).toBeLessThanOrEqual(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS);
    expect(fitbitSync.backfillDays % fitbitSync.backfillJobDays).toBeLessThan(fitbitSync.backfillJobDays);
  });

  /** Answers every list with one empty page (no nextPageToken at all) and lets rollups reach the sandbox. */
  const emptyLists =
    (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      const request = new Request(input, init);
      return request.method === "GET" ? Response.json({}) : inner(request);
    };

  it("splits a steps range longer than the 90-day rollup limit into contiguous requests, and stops on an absent token", async () => {
    const window = settledPast(120);
    const { sent, wrap } = recording();
    const { ctx } = await sandboxPullContext("fitbit", { wrap: (inner) => wrap(emptyLists(inner)) });
    const pages = await pullAll(fitbitSync, ctx, window);

    const rollups = sent.filter((r) => r.method === "POST").map((r) => r.body!.range as { start: Json; end: Json });
    const asMs = (c: Json) => Date.UTC(c.date.year, c.date.month - 1, c.date.day);
    expect(rollups).toHaveLength(2);
    expect(rollups.every((range) => asMs(range.end) - asMs(range.start) <= 90 * DAY_MS)).toBe(true);
    expect(asMs(rollups[0]!.start)).toBe(window.start - DAY_MS);
    expect(asMs(rollups[1]!.start)).toBe(asMs(rollups[0]!.end));
    expect(asMs(rollups[1]!.end)).toBe(window.end + DAY_MS);
    expect(normalizeAll(pages.filter((p) => p.kind === "steps")).records).toHaveLength(122);
    // One request per list kind: a page without nextPageToken is the last.
    expect(sent.filter((r) => r.method === "GET")).toHaveLength(5);
  });

  it("stops paging once the newest-first points reach before the window, should the filter ever be ignored", async () => {
    const window = settledPast(1);
    const sample = (at: number) => ({ heartRate: { sampleTime: { physicalTime: new Date(at).toISOString(), utcOffset: "0s" }, beatsPerMinute: "61" } });
    let heartRatePages = 0;
    const unfiltered =
      (inner: typeof fetch): typeof fetch =>
      async (input, init) => {
        const request = new Request(input, init);
        if (!request.url.startsWith(HEART_RATE_POINTS)) return emptyLists(inner)(request);
        heartRatePages++;
        // Each page reaches 14 h further back than the one before and always offers another page.
        const newest = window.end - (heartRatePages - 1) * 14 * 3_600_000;
        return Response.json({ dataPoints: [sample(newest - 1000), sample(newest - 13 * 3_600_000)], nextPageToken: `page-${heartRatePages + 1}` });
      };
    const { ctx } = await sandboxPullContext("fitbit", { wrap: unfiltered });
    await pullAll(fitbitSync, ctx, window);
    expect(heartRatePages).toBe(2);
  });

  it("hands a response that is not JSON to normalize as a malformed page and carries on with the other kinds", async () => {
    const window = settledPast(1);
    const brokenSleep =
      (inner: typeof fetch): typeof fetch =>
      async (input, init) => {
        const request = new Request(input, init);
        return request.url.startsWith(SLEEP_POINTS) ? new Response("<html>upstream hiccup</html>", { status: 200 }) : inner(request);
      };
    const { ctx } = await sandboxPullContext("fitbit", { wrap: brokenSleep });
    const pages = await pullAll(fitbitSync, ctx, window);
    const sleepPages = pages.filter((p) => p.kind === "sleep");
    expect(sleepPages).toHaveLength(1);
    expect(() => fitbitSync.normalize("sleep", sleepPages[0]!.body)).toThrow(MalformedPayloadError);
    expect(pages.some((p) => p.kind === "heart_rate")).toBe(true);
  });
});

describe("the Google Health sandbox data API", () => {
  async function sandboxGet(path: string, token?: string) {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    return createSandboxFetch(env)(`https://health.googleapis.com${path}`, { headers });
  }
  const tokenFor = () => issueSandboxAccessToken(env, "fitbit", `sbx-test-${crypto.randomUUID().slice(0, 8)}`);

  it("requires the bearer token, as the real API does", async () => {
    expect((await sandboxGet("/v4/users/me/dataTypes/heart-rate/dataPoints")).status).toBe(401);
  });

  it.each([
    ["an OR", 'heart_rate.sample_time.physical_time >= "2026-03-01T00:00:00Z" OR heart_rate.sample_time.physical_time < "2026-03-02T00:00:00Z"'],
    ["a > comparison", 'heart_rate.sample_time.physical_time > "2026-03-01T00:00:00Z"'],
    ["another field", 'heart_rate.sample_time.civil_time >= "2026-03-01"'],
    ["a literal that is not RFC 3339", 'heart_rate.sample_time.physical_time >= "yesterday"'],
  ])("answers a filter with %s 400 INVALID_ARGUMENT in the google.rpc.Status shape", async (_, filter) => {
    const response = await sandboxGet(`/v4/users/me/dataTypes/heart-rate/dataPoints?filter=${encodeURIComponent(filter)}`, await tokenFor());
    expect(response.status).toBe(400);
    const body = (await response.json()) as Json;
    expect(body).toEqual({ error: { code: 400, status: "INVALID_ARGUMENT", message: expect.any(String) } });
  });

  it("refuses a page token from another query", async () => {
    const token = await tokenFor();
    const filter = (day: string) => encodeURIComponent(`daily_resting_heart_rate.date >= "${day}"`);
    const first = (await (
      await sandboxGet(`/v4/users/me/dataTypes/daily-resting-heart-rate/dataPoints?filter=${filter(isoDay(Date.now() - 20 * DAY_MS))}`, token)
    ).json()) as Json;
    expect(first.nextPageToken).not.toBe("");
    const mismatched = await sandboxGet(
      `/v4/users/me/dataTypes/daily-resting-heart-rate/dataPoints?filter=${filter(isoDay(Date.now() - 10 * DAY_MS))}&pageToken=${first.nextPageToken}`,
      token,
    );
    expect(mismatched.status).toBe(400);
  });

  it("turns the sandbox's 400 into a ProviderRequestError in pull", async () => {
    const badFilter =
      (inner: typeof fetch): typeof fetch =>
      async (input, init) => {
        const url = new URL(new Request(input, init).url);
        if (url.href.startsWith(SLEEP_POINTS)) url.searchParams.set("filter", 'sleep.interval.start_time >= "2026-03-01T00:00:00Z"');
        return inner(url, init);
      };
    const { ctx } = await sandboxPullContext("fitbit", { wrap: badFilter });
    await expect(pullAll(fitbitSync, ctx, settledPast(1))).rejects.toBeInstanceOf(ProviderRequestError);
  });
});
