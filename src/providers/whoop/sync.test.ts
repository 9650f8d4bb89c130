import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import type { NormalizedRecord } from "../../domain/records";
import { createSandboxFetch } from "../../sandbox/fetch";
import { ProviderRequestError } from "../../sync/pull-context";
import type { SyncWindow } from "../types";
import type { WhoopKind } from "./normalize";
import { whoopSync } from "./sync";

const DAY_MS = 86_400_000;
const API = "https://api.prod.whoop.com/developer/v2";
const PATHS: Record<Exclude<WhoopKind, "body_measurement">, string> = {
  cycle: "/developer/v2/cycle",
  sleep: "/developer/v2/activity/sleep",
  recovery: "/developer/v2/recovery",
  workout: "/developer/v2/activity/workout",
};

type Item = Record<string, any>;
interface Page {
  records: Item[];
  next_token?: string;
}

/** A fetch wrapper that remembers every URL the adapter asked for, in order. */
function recordingUrls() {
  const urls: URL[] = [];
  const wrap =
    (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      urls.push(new URL(new Request(input, init).url));
      return inner(input, init);
    };
  return { urls, wrap };
}

/** Midnight UTC a few days back, so every item in the window has long been scored. */
function settledPast(days: number): SyncWindow {
  const end = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;
  return { start: end - days * DAY_MS, end };
}

/** The WHOOP page inside a pulled page (a recovery page travels with its sleeps). */
function whoopPage(kind: WhoopKind, body: unknown): Page {
  return (kind === "recovery" ? (body as { page: Page }).page : body) as Page;
}

function pagesOf(pages: { kind: WhoopKind; body: unknown }[], kind: WhoopKind): Page[] {
  return pages.filter((p) => p.kind === kind).map((p) => whoopPage(kind, p.body));
}

const idOf = (kind: WhoopKind, item: Item) => String(kind === "recovery" ? item.sleep_id : item.id);

function normalizeAll(pages: { kind: WhoopKind; body: unknown }[]) {
  const records: NormalizedRecord[] = [];
  const skipped: { externalId: string | null; reason: string }[] = [];
  for (const page of pages) {
    const result = whoopSync.normalize(page.kind, page.body);
    records.push(...result.records);
    skipped.push(...result.skipped);
  }
  return { records, skipped };
}

describe("whoopSync.pull against the sandbox", () => {
  it("asks for each collection with start, end and limit=25, and follows next_token back as nextToken", async () => {
    const { urls, wrap } = recordingUrls();
    const { ctx } = await sandboxPullContext("whoop", { wrap });
    const window = settledPast(40);
    const pages = await pullAll(whoopSync, ctx, window);

    for (const [kind, path] of Object.entries(PATHS) as [Exclude<WhoopKind, "body_measurement">, string][]) {
      const requested = urls.filter((url) => url.pathname === path);
      const answered = pagesOf(pages, kind);
      expect(requested.length, kind).toBe(answered.length);
      requested.forEach((url, index) => {
        expect(url.origin).toBe("https://api.prod.whoop.com");
        expect(url.searchParams.get("start")).toBe(new Date(window.start).toISOString());
        expect(url.searchParams.get("end")).toBe(new Date(window.end).toISOString());
        expect(url.searchParams.get("limit")).toBe("25");
        expect(url.searchParams.has("next_token")).toBe(false);
        expect(url.searchParams.get("nextToken")).toBe(index === 0 ? null : answered[index - 1]!.next_token);
      });
      expect(answered.at(-1)!.next_token, `${kind}: the pull stops only when WHOOP sends no next_token`).toBeUndefined();
    }
    // 40 days of cycles do not fit one page of 25: pagination was exercised.
    expect(pagesOf(pages, "cycle").length).toBeGreaterThanOrEqual(2);
    expect(urls.filter((url) => url.pathname === "/developer/v2/user/measurement/body")).toHaveLength(1);
  });

  it("reads every record of the window exactly once, newest first, and only records in the window", async () => {
    const { ctx, subject } = await sandboxPullContext("whoop");
    const window = settledPast(40);
    const pages = await pullAll(whoopSync, ctx, window);

    for (const kind of ["cycle", "sleep", "workout"] as const) {
      const items = pagesOf(pages, kind).flatMap((page) => page.records);
      const ids = items.map((item) => idOf(kind, item));
      expect(new Set(ids).size, `${kind} ids are unique`).toBe(ids.length);
      for (const item of items) {
        expect(Date.parse(item.start), `${kind} ${item.id} starts before the window ends`).toBeLessThan(window.end);
        expect(Date.parse(item.end), `${kind} ${item.id} ends after the window starts`).toBeGreaterThanOrEqual(window.start);
      }
      const starts = items.map((item) => Date.parse(item.start));
      expect(starts, `${kind} is sorted by start, descending`).toEqual([...starts].sort((a, b) => b - a));
    }

    // The same collection read independently with pages of 7 holds exactly the records the pull read.
    const { ctx: reader } = await sandboxPullContext("whoop", { subject });
    for (const kind of ["cycle", "sleep", "recovery", "workout"] as const) {
      const expected: string[] = [];
      let token: string | undefined;
      do {
        const url = new URL(`https://api.prod.whoop.com${PATHS[kind]}`);
        url.search = new URLSearchParams({ start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString(), limit: "7" }).toString();
        if (token) url.searchParams.set("nextToken", token);
        const page = (await (await reader.request(url)).json()) as Page;
        expect(page.records.length).toBeLessThanOrEqual(7);
        expected.push(...page.records.map((item) => idOf(kind, item)));
        token = page.next_token;
      } while (token);
      const pulled = pagesOf(pages, kind).flatMap((page) => page.records.map((item) => idOf(kind, item)));
      expect(pulled, kind).toEqual(expected);
      expect(pulled.length, kind).toBeGreaterThan(kind === "workout" ? 10 : 35);
    }
  });

  it("normalizes a pulled window: strain per cycle, sessions per sleep, readiness on the day its sleep ended", async () => {
    const now = Date.now();
    const { ctx } = await sandboxPullContext("whoop", { now });
    const pages = await pullAll(whoopSync, ctx, settledPast(20));
    const { records, skipped } = normalizeAll(pages);

    // Settled days are all scored; only the occasional workout WHOOP could not score is left out.
    for (const item of skipped) expect(item.reason).toContain("UNSCORABLE");
    const byKind = (kind: string) => records.filter((record) => record.kind === kind);
    expect(byKind("daily_strain").length).toBeGreaterThanOrEqual(20);
    expect(byKind("workout").length).toBeGreaterThan(5);

    const sessions = new Map(byKind("sleep_session").map((session) => [session.externalId, session]));
    const readiness = byKind("readiness");
    expect(readiness.length).toBeGreaterThanOrEqual(20);
    for (const recovery of readiness) {
      const sleep = sessions.get(recovery.externalId);
      expect(sleep, `readiness ${recovery.externalId} has its sleep`).toBeDefined();
      const sleepEnd = (sleep!.data as any).effective_time_frame.time_interval.end_date_time as string;
      expect((recovery.data as any).date).toBe(sleepEnd.slice(0, 10));
      expect(recovery.startTime).toBe(sleep!.endTime);
    }
    expect(byKind("body_weight")).toEqual([expect.objectContaining({ externalId: `body-weight:${new Date(now).toISOString().slice(0, 10)}`, startTime: now })]);
  });

  it("keeps a backfill job within maxRequestsPerJob, well within the 50-subrequest budget", async () => {
    const { ctx, budget } = await sandboxPullContext("whoop");
    await pullAll(whoopSync, ctx, settledPast(whoopSync.backfillJobDays));
    expect(budget.used).toBeGreaterThanOrEqual(5);
    expect(budget.used).toBeLessThanOrEqual(whoopSync.maxRequestsPerJob);
    expect(whoopSync.maxRequestsPerJob).toBeLessThanOrEqual(25);
    expect(Math.ceil(whoopSync.backfillDays / whoopSync.backfillJobDays) * whoopSync.maxRequestsPerJob).toBeLessThan(100);
  });

  it("returns the same pages and records when the same window is pulled again", async () => {
    const now = Date.now();
    const window = settledPast(15);
    const first = await sandboxPullContext("whoop", { now });
    const again = await sandboxPullContext("whoop", { now, subject: first.subject });
    const firstPages = await pullAll(whoopSync, first.ctx, window);
    const secondPages = await pullAll(whoopSync, again.ctx, window);
    expect(secondPages).toEqual(firstPages);
    expect(normalizeAll(secondPages)).toEqual(normalizeAll(firstPages));

    const someoneElse = await sandboxPullContext("whoop", { now });
    const otherPages = await pullAll(whoopSync, someoneElse.ctx, window);
    expect(pagesOf(otherPages, "cycle")[0]!.records[0]).not.toEqual(pagesOf(firstPages, "cycle")[0]!.records[0]);
  });

  it("leaves what WHOOP is still scoring for a later pull, and never sees the future", async () => {
    const now = Date.now();
    const { ctx } = await sandboxPullContext("whoop", { now });
    const pages = await pullAll(whoopSync, ctx, { start: now - 2 * DAY_MS, end: now + 2 * DAY_MS });

    // The cycle the member is in has no end and no score yet.
    const cycles = pagesOf(pages, "cycle").flatMap((page) => page.records);
    const current = cycles.find((cycle) => cycle.end === undefined);
    expect(current).toMatchObject({ score_state: "PENDING_SCORE" });
    expect(current).not.toHaveProperty("score");
    const { skipped } = normalizeAll(pages);
    expect(skipped).toContainEqual({ externalId: String(current!.id), reason: expect.stringContaining("PENDING_SCORE") });

    for (const kind of ["cycle", "sleep", "workout"] as const) {
      for (const item of pagesOf(pages, kind).flatMap((page) => page.records)) {
        expect(Date.parse(item.start)).toBeLessThanOrEqual(Date.now());
        if (item.end !== undefined) expect(Date.parse(item.end)).toBeLessThanOrEqual(Date.now());
        expect(Date.parse(item.created_at)).toBeLessThanOrEqual(Date.now());
      }
    }
  });
});

describe("the WHOOP sandbox API", () => {
  it("honours limit up to 25 and refuses more, as WHOOP documents", async () => {
    const { ctx } = await sandboxPullContext("whoop");
    const window = settledPast(30);
    const query = (limit: string) =>
      `${API}/activity/sleep?${new URLSearchParams({ start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString(), limit })}`;
    const small = (await (await ctx.request(query("5"))).json()) as Page;
    expect(small.records).toHaveLength(5);
    expect(small.next_token).toEqual(expect.any(String));
    const full = (await (await ctx.request(query("25"))).json()) as Page;
    expect(full.records).toHaveLength(25);
    await expect(ctx.request(query("26"))).rejects.toEqual(new ProviderRequestError(400));
    await expect(ctx.request(`${API}/cycle?nextToken=not-a-token`)).rejects.toEqual(new ProviderRequestError(400));
  });

  it("answers the published body measurement shape", async () => {
    const { ctx } = await sandboxPullContext("whoop");
    const body = await (await ctx.request(`${API}/user/measurement/body`)).json();
    expect(body).toEqual({ height_meter: expect.any(Number), weight_kilogram: expect.any(Number), max_heart_rate: expect.any(Number) });
  });

  it("uses WHOOP's id types: int64 cycles, UUID sleeps and workouts, recoveries keyed by both", async () => {
    const { ctx } = await sandboxPullContext("whoop");
    const pages = await pullAll(whoopSync, ctx, settledPast(10));
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const cycles = pagesOf(pages, "cycle").flatMap((page) => page.records);
    for (const cycle of cycles) expect(Number.isSafeInteger(cycle.id)).toBe(true);
    for (const sleep of pagesOf(pages, "sleep").flatMap((page) => page.records)) {
      expect(sleep.id).toMatch(uuid);
      expect(cycles.map((cycle) => cycle.id)).toContain(sleep.cycle_id);
    }
    for (const workout of pagesOf(pages, "workout").flatMap((page) => page.records)) expect(workout.id).toMatch(uuid);
    for (const recovery of pagesOf(pages, "recovery").flatMap((page) => page.records)) {
      expect(recovery.sleep_id).toMatch(uuid);
      expect(Number.isSafeInteger(recovery.cycle_id)).toBe(true);
    }
  });

  it("requires the member's bearer token", async () => {
    const response = await createSandboxFetch(env)(`${API}/cycle`);
    expect(response.status).toBe(401);
  });
});
