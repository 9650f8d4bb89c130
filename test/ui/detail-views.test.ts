import { describe, expect, it } from "vitest";
import { CATALOG } from "../../src/domain/catalog";
import { detailViewOf } from "../../src/domain/integration";
import { get, seedConnection, signIn } from "../helpers";

describe("each source's detail page shows its own kind of data", () => {
  it("chooses the view from the catalog entry's capability, by type unless the entry names one", () => {
    const views = Object.fromEntries(CATALOG.map((entry) => [entry.id, detailViewOf(entry)]));
    expect(views).toMatchObject({ oura: "daily-charts", dexcom: "glucose", withings: "body", epic: "health-records", gmail: "receipts" });
    expect(detailViewOf({ type: "wearable", detailView: "glucose" })).toBe("glucose");
  });

  it("shows health records, not wearable charts, for a health system", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "epic", "connected");
    const page = await (await get("/settings/connections/epic", session)).text();
    expect(page).toContain('<h2 id="records-title">Your health records</h2>');
    expect(page).not.toContain("Sleep score");
    expect(page).not.toContain("Resting heart rate");
  });

  it("shows receipts, not wearable charts, for a mailbox, and the way to review them", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "gmail", "connected");
    const page = await (await get("/settings/connections/gmail", session)).text();
    expect(page).toContain('<h2 id="receipts-title">Your receipts</h2>');
    expect(page).toContain("No receipts found yet.");
    expect(page).toContain('href="/settings/purchases"');
    expect(page).not.toContain("Sleep score");
  });
});
