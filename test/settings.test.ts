import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { deviceSuggestions, integrationConnections } from "../src/db/schema";
import { CATALOG } from "../src/domain/catalog";
import { countingD1, db, get, ORIGIN, postForm, seedConnection, signIn } from "./helpers";

/** The part of the page between a card's opening tag and the next card. */
function cardHtml(page: string, source: string): string {
  const start = page.indexOf(`id="card-${source}"`);
  expect(start, `card ${source} is on the page`).toBeGreaterThan(-1);
  const end = page.indexOf("<article", start + 1);
  return page.slice(start, end === -1 ? undefined : end);
}

describe("settings page", () => {
  it("sends a person who is not signed in to the development sign-in", async () => {
    const response = await get("/settings");
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/dev/sign-in?next=%2Fsettings");
  });

  it("renders every section and every card from the person's real connections in D1", async () => {
    const session = await signIn();
    const hourAgo = Date.now() - 60 * 60 * 1000;
    await seedConnection(session.userId, "oura", "connected", { lastSyncAt: hourAgo });
    await seedConnection(session.userId, "whoop", "needs_reauth", { statusReason: "WHOOP stopped accepting our access. Reconnect to resume." });
    await seedConnection(session.userId, "dexcom", "error", { statusReason: "Dexcom kept failing for 6 hours." });
    await seedConnection(session.userId, "fitbit", "disconnected");

    const response = await get("/settings", session);
    expect(response.status).toBe(200);
    const page = await response.text();

    expect(page).toContain("<h2>Devices &amp; Wearables</h2>");
    expect(page).toContain("<h2>Health Records</h2>");
    expect(page).toContain("<h2>Purchase Intelligence</h2>");
    expect(page).toMatch(/<details class="section" id="section-devices" open/);
    for (const entry of CATALOG) expect(page).toContain(`id="card-${entry.id}"`);

    expect(page).toMatch(/<strong>1<\/strong> of 10 sources connected<span class="attention"> · 2 need attention/);

    const oura = cardHtml(page, "oura");
    expect(oura).toContain("badge-connected");
    expect(oura).toContain(">1 hour ago</time>");
    expect(oura).toContain('href="/settings/disconnect/oura"');

    const whoop = cardHtml(page, "whoop");
    expect(whoop).toContain("Needs reconnecting");
    expect(whoop).toContain("WHOOP stopped accepting our access. Reconnect to resume.");
    expect(whoop).toContain(">Reconnect</a>");

    const dexcom = cardHtml(page, "dexcom");
    expect(dexcom).toContain("Sync error");
    expect(dexcom).toContain("Dexcom kept failing for 6 hours.");

    const fitbit = cardHtml(page, "fitbit");
    expect(fitbit).toContain(">Disconnected</span>");
    expect(fitbit).toContain(">Connect</a>");

    // Sources with a sandbox are available in development, those reached through Junction too (its local API).
    expect(cardHtml(page, "garmin")).toContain(">Not connected</span>");
    const appleHealth = cardHtml(page, "apple-health");
    expect(appleHealth).toContain(">Not connected</span>");
    expect(appleHealth).toContain('href="/settings/connect/apple-health"');
  });

  it("shows the filter the URL asks for, and swaps the grid as a fragment for htmx", async () => {
    const session = await signIn();
    const cgmPage = await (await get("/settings?filter=cgm", session)).text();
    const grid = cgmPage.slice(cgmPage.indexOf('id="device-grid"'), cgmPage.indexOf("</details>"));
    expect(grid).toContain('id="card-dexcom"');
    expect(grid).not.toContain('id="card-oura"');
    expect(cgmPage).toMatch(/id="tab-cgm"[^>]*aria-current="page"/);
    // Health records and receipts are their own sections, untouched by the device filter.
    expect(cgmPage).toContain('id="card-epic"');

    const fragment = await (await get("/settings/devices?filter=wearables", session, { "HX-Request": "true" })).text();
    expect(fragment).not.toContain("<html");
    for (const id of ["oura", "whoop", "fitbit", "garmin"]) expect(fragment).toContain(`id="card-${id}"`);
    expect(fragment).not.toContain('id="card-dexcom"');
    expect(fragment).toMatch(/id="tab-wearables"[^>]*aria-current="page"/);

    const apps = await (await get("/settings/devices?filter=apps", session)).text();
    expect(apps).toContain('id="card-apple-health"');
    expect(apps).toContain('id="card-health-connect"');

    // An unknown filter falls back to showing everything rather than an empty page.
    const unknown = await (await get("/settings?filter=toasters", session)).text();
    expect(unknown).toMatch(/id="tab-all"[^>]*aria-current="page"/);
    expect(unknown).toContain('id="card-oura"');
  });

  it("keeps each person's connections to themselves", async () => {
    const alice = await signIn();
    const bob = await signIn();
    await seedConnection(alice.userId, "oura", "connected");

    const bobsPage = await (await get("/settings", bob)).text();
    expect(cardHtml(bobsPage, "oura")).toContain(">Not connected</span>");
    expect(bobsPage).toMatch(/<strong>0<\/strong> of 10/);

    // Bob cannot open or act on a disconnect for a connection that is Alice's.
    expect((await get("/settings/disconnect/oura", bob)).status).toBe(404);
    expect((await postForm("/api/integrations/oura/disconnect", bob, {})).status).toBe(404);
    const [row] = await db().select().from(integrationConnections).where(eq(integrationConnections.userId, alice.userId));
    expect(row?.status).toBe("connected");
  });

  it("answers an unknown source with a 404 page", async () => {
    const session = await signIn();
    for (const path of ["/settings/connect/myspace", "/settings/disconnect/myspace", "/api/integrations/myspace/start"]) {
      const response = await get(path, session);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain("There is no such source in Wellness OS.");
    }
  });

  it("stays within its budget: at most two D1 queries and under 40 KB of HTML", async () => {
    const session = await signIn();
    for (const entry of CATALOG.slice(0, 5)) await seedConnection(session.userId, entry.id, "connected", { lastSyncAt: Date.now() });
    const counted = countingD1(env.DB);
    const ctx = createExecutionContext();
    const response = await createApp().fetch(new Request(`${ORIGIN}/settings`, { headers: { Cookie: session.cookie } }), { ...env, DB: counted.binding }, ctx);
    await waitOnExecutionContext(ctx);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(counted.statements()).toBeGreaterThan(0);
    expect(counted.statements()).toBeLessThanOrEqual(2);
    expect(new TextEncoder().encode(html).byteLength).toBeLessThan(40 * 1024);
  });

  it("sends a Content-Security-Policy that allows only our own scripts and styles", async () => {
    const session = await signIn();
    const response = await get("/settings", session);
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    const page = await response.text();
    expect(page).toContain('<script src="/vendor/htmx.min.js"');
    expect(page).not.toMatch(/<script>(?!<)/);
    expect(page).not.toMatch(/ style="/);
  });
});

describe("modals", () => {
  it("serves each modal as an htmx fragment and as a page without JavaScript", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "oura", "connected");
    const modals = [
      ["/settings/connect/whoop", "Connect WHOOP"],
      ["/settings/disconnect/oura", "Disconnect Oura Ring?"],
      ["/settings/coming-soon/apple-health", "Apple Health is coming soon"],
      ["/settings/suggest", "Suggest a device"],
    ] as const;
    for (const [path, title] of modals) {
      const fragment = await (await get(path, session, { "HX-Request": "true" })).text();
      expect(fragment, path).toContain(`<h2 id="modal-title">${title}</h2>`);
      expect(fragment, path).not.toContain("<html");
      expect(fragment, path).toContain("data-close-modal");

      const page = await (await get(path, session)).text();
      expect(page, path).toContain("<!doctype html>");
      expect(page, path).toContain(title);
      expect(page, path).toContain('href="/settings"');
    }
  });

  it("shows what the source shares, the exact scopes asked, and where Connect goes", async () => {
    const session = await signIn();
    const modal = await (await get("/settings/connect/dexcom", session, { "HX-Request": "true" })).text();
    expect(modal).toContain("Glucose readings and trends");
    expect(modal).toContain("<code>offline_access</code>");
    expect(modal).toContain('action="/api/integrations/dexcom/start"');
    expect(modal).toContain("Development sandbox");
    const gmail = await (await get("/settings/connect/gmail", session, { "HX-Request": "true" })).text();
    expect(gmail).toContain("<code>https://www.googleapis.com/auth/gmail.readonly</code>");
    expect(gmail).toMatch(/<input type="checkbox" name="consent" value="receipts-read-only" required/);
  });
});

describe("suggest a device", () => {
  it("saves a valid suggestion and thanks the person", async () => {
    const session = await signIn();
    const response = await postForm(
      "/settings/suggestions",
      session,
      { name: "Withings Body+", type: "scale", note: "My scale" },
      { headers: { "HX-Request": "true" } },
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("We saved your suggestion for Withings Body+.");
    const rows = await db().select().from(deviceSuggestions).where(eq(deviceSuggestions.userId, session.userId));
    expect(rows).toMatchObject([{ deviceName: "Withings Body+", deviceType: "scale", note: "My scale" }]);
  });

  it("answers invalid input with 422 and inline errors, and writes nothing", async () => {
    const session = await signIn();
    const cases: [Record<string, string>, string][] = [
      [{ name: "", type: "scale" }, "Enter the device or app name"],
      [{ name: "Oura Gen 4", type: "toaster" }, "Choose what kind of device it is."],
      [{ name: "Oura Gen 4", type: "wearable", note: "x".repeat(501) }, "Keep the note under 500 characters."],
      [{ name: "y".repeat(81), type: "wearable" }, "Keep the name under 80 characters."],
    ];
    for (const [fields, message] of cases) {
      const response = await postForm("/settings/suggestions", session, fields, { headers: { "HX-Request": "true" } });
      expect(response.status, message).toBe(422);
      const html = await response.text();
      expect(html).toContain(message);
      expect(html).toContain('aria-invalid="true"');
    }
    expect(await db().select().from(deviceSuggestions).where(eq(deviceSuggestions.userId, session.userId))).toEqual([]);
  });

  it("refuses a body over the size limit with 413 and writes nothing", async () => {
    const session = await signIn();
    const response = await postForm("/settings/suggestions", session, { name: "Big", type: "app", note: "z".repeat(20_000) });
    expect(response.status).toBe(413);
    expect(await db().select().from(deviceSuggestions).where(eq(deviceSuggestions.userId, session.userId))).toEqual([]);
  });
});

describe("CSRF", () => {
  it("rejects a state-changing request without the person's token, or from another site, and writes nothing", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "oura", "connected");
    const fields = { name: "Polar H10", type: "wearable" };

    expect((await postForm("/settings/suggestions", session, fields, { csrf: false })).status).toBe(403);
    expect((await postForm("/settings/suggestions", session, { ...fields, _csrf: "forged" }, { csrf: false })).status).toBe(403);
    expect((await postForm("/settings/suggestions", session, fields, { headers: { Origin: "https://evil.example" } })).status).toBe(403);
    expect((await postForm("/api/integrations/oura/disconnect", session, {}, { csrf: false })).status).toBe(403);

    expect(await db().select().from(deviceSuggestions).where(eq(deviceSuggestions.userId, session.userId))).toEqual([]);
    const [row] = await db().select().from(integrationConnections).where(eq(integrationConnections.userId, session.userId));
    expect(row?.status).toBe("connected");

    // Another person's token does not work for this person.
    const other = await signIn();
    expect((await postForm("/settings/suggestions", session, { ...fields, _csrf: other.csrfToken }, { csrf: false })).status).toBe(403);
  });

  it("accepts the token from the X-CSRF-Token header that htmx sends", async () => {
    const session = await signIn();
    const response = await postForm(
      "/settings/suggestions",
      session,
      { name: "Polar H10", type: "wearable" },
      {
        csrf: false,
        headers: { "X-CSRF-Token": session.csrfToken, "HX-Request": "true" },
      },
    );
    expect(response.status).toBe(200);
  });
});
