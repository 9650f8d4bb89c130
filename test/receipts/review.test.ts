import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { get, postForm, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";
import { seedReceipts } from "./seed";

const purchase = async (userId: string, name: string) =>
  (await storedRecords(userId, { source: "gmail", kind: "purchase" })).map((r) => ({ id: r.external_id, ...JSON.parse(r.data) })).find((p) => p.name === name);

describe("reviewing purchases (Purchase Intelligence)", () => {
  it("shows receipts and items with their match and confidence, and the items that wait for review", async () => {
    const session = await signIn();
    await seedReceipts(session.userId, ["23-sunrise-instore-text", "06-harbour-health-uk"]);
    const page = await get("/settings/purchases", session);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Sunrise Market");
    expect(html).toContain("Harbour Health Foods");
    expect(html).toMatch(/PB CRUNCHY[\s\S]*?Needs review/);
    expect(html).toMatch(/Organic Rolled Oats[\s\S]*?Oats, rolled, old fashioned[\s\S]*?confidence 100%/);
  });

  it("a correction becomes an alias that later purchases of the same name use", async () => {
    const session = await signIn();
    await seedReceipts(session.userId, ["23-sunrise-instore-text"], "first");
    const before = await purchase(session.userId, "PB CRUNCHY");
    expect(before.status).toBe("review");
    const done = await postForm(`/settings/purchases/${encodeURIComponent(before.id)}`, session, { action: "correct", catalog_item_id: "peanut-butter" });
    expect(done.status).toBe(303);
    expect(await purchase(session.userId, "PB CRUNCHY")).toMatchObject({ status: "corrected", catalog_item_id: "peanut-butter", match_confidence: 1 });
    const aliases = await storedRecords(session.userId, { source: "gmail", kind: "purchase_alias" });
    expect(aliases.map((a) => JSON.parse(a.data))).toEqual([{ alias: "pb crunchy", catalog_item_id: "peanut-butter" }]);

    // The same receipt arriving again as another message: its PB CRUNCHY now matches through the alias.
    await seedReceipts(session.userId, ["23-sunrise-instore-text"], "second");
    const api = await get(`/api/v1/users/${session.userId}/purchases`, undefined, { Authorization: `Bearer ${env.SERVICE_API_TOKEN}` });
    const body = (await api.json()) as { purchases: { id: string; name: string; status: string; catalog_item: { id: string } | null }[] };
    const second = body.purchases.find((p) => p.id.startsWith("second-") && p.name === "PB CRUNCHY");
    expect(second).toMatchObject({ status: "matched", catalog_item: { id: "peanut-butter" } });
  });

  it("confirms and rejects; a rejected line leaves the service API", async () => {
    const session = await signIn();
    await seedReceipts(session.userId, ["06-harbour-health-uk"]);
    const oats = await purchase(session.userId, "Organic Rolled Oats");
    const whey = await purchase(session.userId, "Whey Protein Isolate Vanilla");
    expect((await postForm(`/settings/purchases/${encodeURIComponent(oats.id)}`, session, { action: "confirm" })).status).toBe(303);
    expect((await postForm(`/settings/purchases/${encodeURIComponent(whey.id)}`, session, { action: "reject" })).status).toBe(303);
    expect(await purchase(session.userId, "Organic Rolled Oats")).toMatchObject({ status: "confirmed" });
    const api = await get(`/api/v1/users/${session.userId}/purchases?from=2026-01-01&to=2026-01-31`, undefined, {
      Authorization: `Bearer ${env.SERVICE_API_TOKEN}`,
    });
    const names = ((await api.json()) as { purchases: { name: string }[] }).purchases.map((p) => p.name);
    expect(names).toContain("Organic Rolled Oats");
    expect(names).not.toContain("Whey Protein Isolate Vanilla");
  });

  it("refuses a decision it does not understand, or without the CSRF token, and writes nothing", async () => {
    const session = await signIn();
    await seedReceipts(session.userId, ["06-harbour-health-uk"]);
    const oats = await purchase(session.userId, "Organic Rolled Oats");
    const path = `/settings/purchases/${encodeURIComponent(oats.id)}`;
    expect((await postForm(path, session, { action: "delete-everything" })).status).toBe(400);
    expect((await postForm(path, session, { action: "correct", catalog_item_id: "no-such-entry" })).status).toBe(400);
    expect((await postForm(path, session, { action: "reject" }, { csrf: false })).status).toBe(403);
    expect((await postForm("/settings/purchases/no-such-item", session, { action: "reject" })).status).toBe(404);
    expect(await purchase(session.userId, "Organic Rolled Oats")).toMatchObject({ status: "matched" });
  });
});

describe("GET /api/v1/users/:userId/purchases", () => {
  it("needs the service token and a well-formed range", async () => {
    const session = await signIn();
    expect((await get(`/api/v1/users/${session.userId}/purchases`)).status).toBe(401);
    const auth = { Authorization: `Bearer ${env.SERVICE_API_TOKEN}` };
    expect((await get(`/api/v1/users/${session.userId}/purchases?from=yesterday`, undefined, auth)).status).toBe(400);
    expect((await get(`/api/v1/users/${session.userId}/purchases?from=2026-03-01&to=2026-02-01`, undefined, auth)).status).toBe(400);
    const empty = await get(`/api/v1/users/${session.userId}/purchases?from=2026-03-01`, undefined, auth);
    expect(await empty.json()).toEqual({ purchases: [], truncated: false });
  });
});
