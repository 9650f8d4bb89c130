import { describe, expect, it } from "vitest";
import { get, postForm, seedConnection, signIn } from "../helpers";

describe("Disconnect through htmx", () => {
  it("swaps the section's 'N of M connected' out of band, with the card and the page count", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "oura", "connected");
    await seedConnection(session.userId, "whoop", "connected");
    const before = await (await get("/settings", session)).text();
    expect(before).toContain('<span class="section-count" id="section-count-devices">2 of 8 connected</span>');

    const response = await postForm("/api/integrations/oura/disconnect", session, {}, { headers: { "HX-Request": "true" } });
    expect(response.status).toBe(200);
    const partials = await response.text();
    expect(partials).toMatch(
      /<hx-partial hx-target="#section-count-devices" hx-swap="outerHTML"><span class="section-count" id="section-count-devices">1 of 8 connected<\/span><\/hx-partial>/,
    );
    expect(partials).toContain('<hx-partial hx-target="#connected-count"');
    expect(partials).toContain('<hx-partial hx-target="#card-oura"');
    // The records section's count is not part of the answer: its number did not change.
    expect(partials).not.toContain("section-count-records");
  });
});
