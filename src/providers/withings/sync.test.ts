import { describe, expect, it } from "vitest";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import { AccessRevokedError } from "../../sync/pull-context";
import { withingsSync } from "./sync";

const DAY_MS = 86_400_000;

/** A fetch wrapper that remembers each Withings call's URL and form. */
function recording() {
  const calls: { path: string; form: URLSearchParams }[] = [];
  const wrap =
    (inner: typeof fetch): typeof fetch =>
    async (input, init) => {
      const request = new Request(input, init);
      calls.push({ path: new URL(request.url).pathname, form: new URLSearchParams(await request.clone().text()) });
      return inner(request);
    };
  return { calls, wrap };
}

function normalizeAll(pages: { kind: "measures"; body: unknown }[]) {
  return pages.flatMap((page) => withingsSync.normalize(page.kind, page.body).records);
}

describe("withingsSync.pull against the sandbox", () => {
  it("backfills by measure date, following more/offset to the last page, with nothing twice", async () => {
    const { calls, wrap } = recording();
    const { ctx } = await sandboxPullContext("withings", { wrap });
    const end = Math.floor(ctx.now / DAY_MS) * DAY_MS - 10 * DAY_MS;
    const window = { start: end - 90 * DAY_MS, end };
    const pages = await pullAll(withingsSync, ctx, window);

    const measureCalls = calls.filter((call) => call.path === "/measure");
    expect(measureCalls.length).toBeGreaterThan(1);
    expect(measureCalls.length).toBe(pages.length);
    expect(calls.some((call) => call.path === "/notify")).toBe(false);
    measureCalls.forEach((call, index) => {
      expect(call.form.get("action")).toBe("getmeas");
      expect(call.form.get("category")).toBe("1");
      expect(call.form.get("meastypes")).toBe("1,5,6,8,9,10,11,76,77,88");
      expect(call.form.get("startdate")).toBe(String(window.start / 1000));
      expect(call.form.get("enddate")).toBe(String(window.end / 1000 - 1));
      expect(call.form.has("lastupdate")).toBe(false);
      // Each page after the first asks from the offset the previous one gave.
      if (index > 0) expect(call.form.get("offset")).toBe(String((pages[index - 1]!.body as { offset: number }).offset));
    });
    expect((pages.at(-1)!.body as { more: number }).more).toBe(0);

    const records = normalizeAll(pages);
    const ids = records.filter((r) => r.kind === "body_composition").map((r) => r.externalId);
    expect(new Set(ids).size).toBe(ids.length);
    // Most mornings' weigh-ins, every one inside the window. The sandbox person steps on the scale on 82% of days
    // (about 69 of 90 with body composition, ±4); more than half the days holds for any person the sandbox draws.
    expect(ids.length).toBeGreaterThan(45);
    for (const record of records) expect(record.startTime >= window.start && record.startTime < window.end).toBe(true);
    // The sandbox person checks their blood pressure every twelve days over the last four months.
    expect(records.filter((r) => r.kind === "blood_pressure").length).toBeGreaterThanOrEqual(7);
  });

  it("a scheduled pull asks by lastupdate and keeps the person's notification subscriptions", async () => {
    const { calls, wrap } = recording();
    const { ctx } = await sandboxPullContext("withings", { wrap });
    const window = { start: ctx.now - 30 * DAY_MS, end: ctx.now };
    const pages = await pullAll(withingsSync, ctx, window);

    const notify = calls.filter((call) => call.path === "/notify").map((call) => Object.fromEntries(call.form));
    expect(notify.map((form) => [form.action, form.appli])).toEqual([
      ["list", undefined],
      ["subscribe", "1"],
      ["subscribe", "4"],
    ]);
    expect(notify[1]!.callbackurl).toMatch(/^http:\/\/localhost:8787\/webhooks\/withings\?key=dev[0-9a-f]{32}$/);
    for (const call of calls.filter((c) => c.path === "/measure")) {
      expect(call.form.get("lastupdate")).toBe(String(Math.floor(window.start / 1000)));
      expect(call.form.has("startdate")).toBe(false);
    }
    const kinds = new Set(normalizeAll(pages).map((r) => r.kind));
    expect(kinds).toEqual(new Set(["body_composition", "body_weight", "blood_pressure"]));

    // The next scheduled pull finds both subscriptions in place and makes none.
    calls.length = 0;
    await pullAll(withingsSync, ctx, window);
    expect(calls.filter((call) => call.path === "/notify").map((call) => call.form.get("action"))).toEqual(["list"]);
  });

  it("an invalid token inside an HTTP 200 stops the pull as a revoked grant", async () => {
    const { ctx } = await sandboxPullContext("withings", {
      wrap: () => async () => Response.json({ status: 401, body: {}, error: "XRequestID: Not provided invalid_token: The access token provided is invalid" }),
    });
    const window = { start: ctx.now - 5 * DAY_MS - 40 * DAY_MS, end: ctx.now - 40 * DAY_MS };
    await expect(pullAll(withingsSync, ctx, window)).rejects.toBeInstanceOf(AccessRevokedError);
  });

  it("stops following an offset it has already followed", async () => {
    let calls = 0;
    const { ctx } = await sandboxPullContext("withings", {
      wrap: () => async () => {
        calls++;
        return Response.json({ status: 0, body: { measuregrps: [], more: 1, offset: 50 } });
      },
    });
    const window = { start: ctx.now - 50 * DAY_MS, end: ctx.now - 40 * DAY_MS };
    const pages = await pullAll(withingsSync, ctx, window);
    expect(calls).toBe(2);
    expect(pages).toHaveLength(2);
  });
});
