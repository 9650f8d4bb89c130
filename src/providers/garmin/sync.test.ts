import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import { createSandboxFetch } from "../../sandbox/fetch";
import { issueSandboxAccessToken } from "../../sandbox/grants";
import { ProviderRequestError } from "../../sync/pull-context";
import { ENGINE_SUBREQUESTS, SUBREQUEST_LIMIT } from "../../sync/run";
import type { SyncWindow } from "../types";
import { GARMIN_KINDS, type GarminKind } from "./normalize";
import { garminSync, requestGarminBackfill } from "./sync";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const today = () => Math.floor(Date.now() / DAY_MS) * DAY_MS;

type Summary = { summaryId: string; calendarDate?: string; startTimeInSeconds: number; durationInSeconds: number };

/** A pull context that also records every URL the adapter requested. */
async function recordingContext(subject?: string) {
  const requested: URL[] = [];
  const { ctx, budget } = await sandboxPullContext("garmin", {
    ...(subject ? { subject } : {}),
    wrap: (inner) => (input, init) => {
      requested.push(new URL(new Request(input, init).url));
      return inner(input, init);
    },
  });
  return { ctx, budget, requested };
}

function summariesOf(pages: { kind: GarminKind; body: unknown }[], kind: GarminKind): Summary[] {
  return pages.filter((page) => page.kind === kind).flatMap((page) => page.body as Summary[]);
}

describe("garminSync.pull against the sandbox", () => {
  it("splits a window into consecutive upload windows of at most 24 h, per kind, covering it exactly", async () => {
    const { ctx, budget, requested } = await recordingContext();
    // 4 days and 5 hours, not aligned to a second: five pieces per kind.
    const window: SyncWindow = { start: today() - 6 * DAY_MS - 5 * HOUR_MS + 123, end: today() - 2 * DAY_MS + 456 };
    const pages = await pullAll(garminSync, ctx, window);

    expect(pages.map((page) => page.kind)).toEqual(GARMIN_KINDS.flatMap((kind) => Array<GarminKind>(5).fill(kind)));
    expect(budget.used).toBe(15);
    for (const kind of GARMIN_KINDS) {
      const urls = requested.filter((url) => url.pathname === `/wellness-api/rest/${kind}`);
      expect(urls.every((url) => url.origin === "https://apis.garmin.com")).toBe(true);
      const pieces = urls.map((url) => ({
        start: Number(url.searchParams.get("uploadStartTimeInSeconds")),
        end: Number(url.searchParams.get("uploadEndTimeInSeconds")),
      }));
      expect(pieces[0]!.start).toBe(Math.floor(window.start / 1000));
      expect(pieces.at(-1)!.end).toBe(Math.floor(window.end / 1000));
      pieces.forEach((piece, i) => {
        expect(piece.end - piece.start).toBeGreaterThan(0);
        expect(piece.end - piece.start).toBeLessThanOrEqual(86_400);
        if (i > 0) expect(piece.start).toBe(pieces[i - 1]!.end);
      });
    }
  });

  it("returns each synced day once, in the documented shapes, and normalizes them", async () => {
    const { ctx } = await recordingContext();
    const pages = await pullAll(garminSync, ctx, { start: today() - 8 * DAY_MS, end: today() - 2 * DAY_MS });

    const dailies = summariesOf(pages, "dailies");
    const dates = dailies.map((daily) => daily.calendarDate!).sort();
    // One morning sync a day uploads the previous day: six days of uploads → 5 to 7 consecutive, distinct days.
    expect(dates.length).toBeGreaterThanOrEqual(5);
    expect(dates.length).toBeLessThanOrEqual(7);
    expect(new Set(dates).size).toBe(dates.length);
    dates.slice(1).forEach((date, i) => {
      expect(Date.parse(date) - Date.parse(dates[i]!)).toBe(DAY_MS);
    });
    for (const kind of GARMIN_KINDS) {
      const ids = summariesOf(pages, kind).map((summary) => summary.summaryId);
      expect(new Set(ids).size).toBe(ids.length);
    }

    const normalized = pages.map((page) => garminSync.normalize(page.kind, page.body));
    const records = normalized.flatMap((result) => result.records);
    const kinds = (kind: string) => records.filter((record) => record.kind === kind).length;
    expect(kinds("daily_activity")).toBe(dailies.length);
    expect(kinds("resting_heart_rate")).toBe(dailies.length);
    expect(kinds("sleep_session")).toBe(summariesOf(pages, "sleeps").length);
    expect(kinds("daily_sleep")).toBe(summariesOf(pages, "sleeps").length);
    // Epochs carry no heart rate: all skipped, each with its reason (96 per uploaded day).
    const epochSkips = normalized.flatMap((result) => result.skipped);
    expect(epochSkips).toHaveLength(96 * dailies.length);
    expect(epochSkips.every((item) => item.reason.startsWith("epochs: "))).toBe(true);
  });

  it("is idempotent: the same window pulled again, or in other pieces, returns the same summaries", async () => {
    const subject = `sbx-test-${crypto.randomUUID().slice(0, 8)}`;
    const window = { start: today() - 5 * DAY_MS, end: today() - DAY_MS };
    const first = await pullAll(garminSync, (await recordingContext(subject)).ctx, window);
    const again = await pullAll(garminSync, (await recordingContext(subject)).ctx, window);
    expect(again).toEqual(first);
    expect(again.map((page) => garminSync.normalize(page.kind, page.body))).toEqual(first.map((page) => garminSync.normalize(page.kind, page.body)));

    // Upload windows partition time: splitting at an odd instant loses and duplicates nothing.
    const middle = window.start + 37 * HOUR_MS + 17_000;
    const { ctx } = await recordingContext(subject);
    const pieces = [
      ...(await pullAll(garminSync, ctx, { start: window.start, end: middle })),
      ...(await pullAll(garminSync, ctx, { start: middle, end: window.end })),
    ];
    for (const kind of GARMIN_KINDS) {
      const ids = (pages: typeof first) =>
        summariesOf(pages, kind)
          .map((summary) => summary.summaryId)
          .sort();
      expect(ids(pieces)).toEqual(ids(first));
    }
  });

  it("never asks for or returns the future", async () => {
    const { ctx, requested } = await recordingContext();
    const pages = await pullAll(garminSync, ctx, { start: ctx.now - 2 * DAY_MS, end: ctx.now + 3 * DAY_MS });
    for (const url of requested) expect(Number(url.searchParams.get("uploadEndTimeInSeconds"))).toBeLessThanOrEqual(ctx.now / 1000);
    for (const kind of GARMIN_KINDS) {
      for (const summary of summariesOf(pages, kind)) expect(summary.startTimeInSeconds + summary.durationInSeconds).toBeLessThanOrEqual(Date.now() / 1000);
    }
  });

  it("stays within the subrequest budget for a backfill job", async () => {
    const { ctx, budget } = await recordingContext();
    const end = today() - DAY_MS + 999;
    await pullAll(garminSync, ctx, { start: end - garminSync.backfillJobDays * DAY_MS, end });
    expect(budget.used).toBeLessThanOrEqual(garminSync.maxRequestsPerJob);
    expect(garminSync.maxRequestsPerJob).toBeLessThanOrEqual(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS);
  });
});

describe("the Garmin sandbox summary endpoints", () => {
  const base = "https://apis.garmin.com/wellness-api/rest/dailies";
  const query = (start: number, end: number) => `?uploadStartTimeInSeconds=${start}&uploadEndTimeInSeconds=${end}`;

  it("answers 400 with Garmin's error body for a window over 24 h or in milliseconds, as the real API does", async () => {
    const token = await issueSandboxAccessToken(env, "garmin", "sbx-limits");
    const get = (search: string) => createSandboxFetch(env)(`${base}${search}`, { headers: { Authorization: `Bearer ${token}` } });
    const end = Math.floor(today() / 1000);

    expect((await get(query(end - 86_400, end))).status).toBe(200);
    const tooLong = await get(query(end - 86_401, end));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toHaveProperty("errorMessage");
    const millis = await get(query(1452384000, 1452777797000));
    expect(millis.status).toBe(400);
    expect(await millis.json()).toEqual({
      errorMessage: "timestamp '1452777797000' appears to be in milliseconds. Please provide unix timestamps in seconds.",
    });
    expect((await get("?uploadStartTimeInSeconds=1452384000")).status).toBe(400);

    // The adapter's context turns that 400 into a non-retryable error.
    const { ctx } = await sandboxPullContext("garmin");
    await expect(ctx.request(`${base}${query(end - 90_000, end)}`)).rejects.toMatchObject({ name: "ProviderRequestError", status: 400 });
  });

  it("requires the bearer token", async () => {
    const response = await createSandboxFetch(env)(`${base}${query(1452384000, 1452387600)}`);
    expect(response.status).toBe(401);
  });
});

describe("requestGarminBackfill", () => {
  it("asks for summaries by recording time, and treats Garmin's 409 as already requested", async () => {
    const { ctx, requested } = await recordingContext();
    const window = { start: today() - 30 * DAY_MS, end: today() };
    expect(await requestGarminBackfill(ctx, "sleeps", window)).toEqual({ requested: 1, alreadyRequested: 0 });
    expect(requested[0]!.href).toBe(
      `https://apis.garmin.com/wellness-api/rest/backfill/sleeps?summaryStartTimeInSeconds=${window.start / 1000}&summaryEndTimeInSeconds=${window.end / 1000}`,
    );
    expect(await requestGarminBackfill(ctx, "sleeps", window)).toEqual({ requested: 0, alreadyRequested: 1 });
    // The same time for another kind is a different request.
    expect(await requestGarminBackfill(ctx, "dailies", window)).toEqual({ requested: 1, alreadyRequested: 0 });
  });

  it("splits a window over 90 days into requests Garmin accepts", async () => {
    const { ctx, requested } = await recordingContext();
    const window = { start: today() - 100 * DAY_MS, end: today() };
    expect(await requestGarminBackfill(ctx, "epochs", window)).toEqual({ requested: 2, alreadyRequested: 0 });
    const spans = requested.map((url) => Number(url.searchParams.get("summaryEndTimeInSeconds")) - Number(url.searchParams.get("summaryStartTimeInSeconds")));
    expect(spans).toEqual([90 * 86_400, 10 * 86_400]);
  });

  it("lets other errors through", async () => {
    const { ctx } = await sandboxPullContext("garmin", {
      wrap: () => async () => Response.json({ errorMessage: "The User Access Token is valid, but the user has not given his permission" }, { status: 412 }),
    });
    await expect(requestGarminBackfill(ctx, "dailies", { start: today() - DAY_MS, end: today() })).rejects.toBeInstanceOf(ProviderRequestError);
  });
});
