import { describe, expect, it } from "vitest";
import { get, postForm, seedConnection, signIn } from "../helpers";

const SMART_IT = "https://launch.smarthealthit.org/v/r4/fhir";
// Connection ids as the app makes them (src/lib/ids.ts): routes accept no other shape.
const connectionId = () => `conn_${crypto.randomUUID().replaceAll("-", "")}`;

describe("a health system that needs reconnecting", () => {
  it("has its own row on the card, and Reconnect goes straight back to that system", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "epic", "connected", { id: connectionId(), account: "", accountName: "Epic Sandbox Hospital" });
    await seedConnection(session.userId, "epic", "needs_reauth", {
      id: connectionId(),
      account: SMART_IT,
      accountName: "SMART Sandbox Clinic",
      statusReason: "SMART Sandbox Clinic refused Wellness OS's access. Reconnect to resume syncing.",
    });

    const card = await (await get("/settings/cards/epic", session)).text();
    expect(card).toContain("2 health systems");
    const broken = /<li class="system system-needs_reauth" id="system-(conn_[0-9a-f]{32})">/.exec(card);
    expect(broken).not.toBeNull();
    const brokenId = broken![1]!;
    expect(card).toContain(`href="/settings/connect/epic?connection=${brokenId}"`);
    expect(card).toContain("refused Wellness OS&#39;s access");

    const dialog = await (await get(`/settings/connect/epic?connection=${brokenId}`, session, { "HX-Request": "true" })).text();
    expect(dialog).toContain("Reconnect SMART Sandbox Clinic");
    expect(dialog).toContain(`name="fhir_base" value="${SMART_IT}"`);
    expect(dialog).not.toContain("Health system or hospital");

    const start = await postForm("/api/integrations/epic/start", session, { fhir_base: SMART_IT });
    expect(start.status).toBe(303);
    expect(new URL(start.headers.get("Location")!).searchParams.get("aud")).toBe(SMART_IT);
  });

  it("a connection id that is not this person's, or not an id at all, names nothing: 404, nothing disconnected or deleted", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "epic", "connected", { id: connectionId(), account: SMART_IT, accountName: "SMART Sandbox Clinic" });
    const other = `conn_${"0".repeat(32)}`;
    expect((await get(`/settings/disconnect/epic?connection=${other}`, session)).status).toBe(404);
    expect((await postForm("/api/integrations/epic/disconnect", session, { connection: other })).status).toBe(404);
    // Something that is not a connection id names nothing either: it never falls back to the card's own system.
    expect((await postForm("/api/integrations/epic/disconnect", session, { connection: "conn_not-an-id" })).status).toBe(404);
    expect((await postForm("/api/integrations/epic/data/delete", session, { connection: "junk" })).status).toBe(404);
    expect(await (await get("/settings/cards/epic", session)).text()).toContain("1 health system");
  });
});
