import { describe, expect, it } from "vitest";
import { get, seedConnection, signIn } from "../helpers";

describe("the card embedded on its own detail page", () => {
  it("does not link to the page it is on, and its name is an h2 under the page's h1 (axe heading-order)", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "oura", "connected");
    const page = await (await get("/settings/connections/oura", session)).text();
    expect(page).not.toContain('href="/settings/connections/oura"');
    expect(page).toContain('<h2 id="name-oura">Oura Ring</h2>');
    // Headings never skip a level: h1, then h2s (figures use captions, not headings).
    const levels = [...page.matchAll(/<h([1-6])[ >]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);

    const settings = await (await get("/settings", session)).text();
    expect(settings).toContain('<a class="btn btn-secondary" href="/settings/connections/oura">Details</a>');
  });
});
