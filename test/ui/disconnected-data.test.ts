import { describe, expect, it } from "vitest";
import { get, seedConnection, signIn } from "../helpers";

describe("a disconnected source whose data is kept", () => {
  it("keeps a link to its page, where the data can be deleted", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "fitbit", "disconnected");
    const page = await (await get("/settings", session)).text();
    const card = page.slice(page.indexOf('id="card-fitbit"'), page.indexOf("</article>", page.indexOf('id="card-fitbit"')));
    expect(card).toContain('<a class="btn btn-primary" href="/settings/connect/fitbit"');
    expect(card).toContain('<a class="btn btn-secondary" href="/settings/connections/fitbit">Synced data</a>');

    const detail = await get("/settings/connections/fitbit", session);
    expect(detail.status).toBe(200);
    const html = await detail.text();
    expect(html).toContain("Fitbit is disconnected, and Wellness OS still keeps the data it synced before.");
    expect(html).toContain('href="/settings/delete-data/fitbit"');
  });
});
