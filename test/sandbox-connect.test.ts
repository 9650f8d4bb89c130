import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { TokenVault } from "../durable-objects/token-vault";
import type { UserHub } from "../durable-objects/user-hub";
import { createApp } from "../src/app";
import { integrationConnections } from "../src/db/schema";
import type { SourceId } from "../src/domain/integration";
import type { NormalizedRecord } from "../src/domain/records";
import { sandboxCredentials } from "../src/sandbox/credentials";
import { sandboxDatabase } from "../src/sandbox/database";
import { createSandboxFetch } from "../src/sandbox/fetch";
import { verifyAccessToken } from "../src/sandbox/grants";
import { sandboxGrants } from "../src/sandbox/schema";
import { storeRecords } from "../src/sync/store-records";
import { callbackCookie, db, get, hubHoldsTokens, ORIGIN, postForm, recordingQueue, type Session, signIn } from "./helpers";
import { storedRecords } from "./records/inspect";

const hub = (userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));

/** Follows Connect the way a browser would: start → sandbox consent page → Allow or Deny → callback. */
async function connectThroughSandbox(source: SourceId, session: Session, decision: "allow" | "deny" = "allow", startQuery = "") {
  const start = await get(`/api/integrations/${source}/start${startQuery}`, session);
  expect(start.status, await start.clone().text()).toBe(302);
  const authorize = new URL(start.headers.get("Location")!);
  expect(authorize.origin + authorize.pathname).toBe(`${ORIGIN}/sandbox/${source}/authorize`);
  const consentPage = await get(`${authorize.pathname}${authorize.search}`, session);
  expect(consentPage.status).toBe(200);
  expect(await consentPage.text()).toContain("(sandbox)</h1>");
  const fields = Object.fromEntries(authorize.searchParams);
  const approved = await postForm(authorize.pathname, session, { ...fields, decision });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get("Location")!);
  // The callback's backfill jobs go to a recording queue: the test environment's real queue has a consumer
  // that would otherwise sync in the background while these tests assert on stored records.
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${ORIGIN}${callback.pathname}${callback.search}`, { headers: { Cookie: callbackCookie(session, start) }, redirect: "manual" }),
    { ...env, SYNC_QUEUE: recordingQueue() },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

async function row(userId: string, source: SourceId) {
  const [found] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, source)));
  return found;
}

describe("sandbox providers, offline", () => {
  const oauthSources: SourceId[] = ["oura", "whoop", "fitbit", "garmin", "withings", "dexcom", "epic", "gmail"];
  for (const source of oauthSources) {
    it(`connects ${source} end to end: consent page, token exchange, identity, encrypted tokens`, async () => {
      const session = await signIn();
      const done = await connectThroughSandbox(source, session, "allow", source === "gmail" ? "?consent=receipts-read-only" : "");
      expect(done.status).toBe(303);
      expect(done.headers.get("Location")).toBe(`/settings?connected=${source}`);
      const connection = await row(session.userId, source);
      expect(connection).toMatchObject({ status: "connected", mode: "sandbox" });
      // Dexcom has no "who is this" endpoint; its user id arrives with the data.
      if (source !== "dexcom") expect(connection?.externalUserId).toBeTruthy();
      const access = await hub(session.userId).getAccessToken(session.userId, source);
      expect(access.ok).toBe(true);
      // The token works against the sandbox's own API, as a real one would against the provider.
      if (access.ok) expect(await verifyAccessToken(env, access.accessToken)).toMatchObject({ source });
      const page = await (await get("/settings", session)).text();
      expect(page).toMatch(new RegExp(`id="card-${source}"[\\s\\S]*?badge-connected`));
    });
  }

  it("returns the person to settings with a calm notice, connecting nothing, when they click Deny", async () => {
    const session = await signIn();
    const done = await connectThroughSandbox("whoop", session, "deny");
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe("/settings?declined=whoop");
    const page = await (await get(done.headers.get("Location")!, session)).text();
    expect(page).toContain('<p class="notice" role="status">WHOOP was not connected: you chose not to share it.');
    expect(page).not.toContain("That request was not valid");
    expect(await row(session.userId, "whoop")).toBeUndefined();
    expect(await hubHoldsTokens(session.userId, "whoop")).toBe(false);
  });

  it("refuses an authorization request the real provider would refuse", async () => {
    const session = await signIn();
    const start = await get("/api/integrations/whoop/start", session);
    const authorize = new URL(start.headers.get("Location")!);
    const tampered = [
      ["redirect_uri", "https://evil.example/callback", "redirect_uri is not registered"],
      ["state", "short", "state must be exactly 8 characters"],
      ["client_id", "someone-else", "unknown client_id"],
    ] as const;
    for (const [name, value, message] of tampered) {
      const url = new URL(authorize);
      url.searchParams.set(name, value);
      const response = await get(`${url.pathname}${url.search}`, session);
      expect(response.status, name).toBe(400);
      expect(await response.text()).toContain(message);
    }
    const fitbit = new URL((await get("/api/integrations/fitbit/start", session)).headers.get("Location")!);
    fitbit.searchParams.delete("code_challenge");
    expect(await (await get(`${fitbit.pathname}${fitbit.search}`, session)).text()).toContain("PKCE (S256) is required");
  });

  it("rotates refresh tokens: after a refresh the previous refresh token is refused", async () => {
    const session = await signIn();
    await connectThroughSandbox("oura", session);
    const read = () =>
      runInDurableObject(hub(session.userId), (instance: UserHub) => (instance as unknown as { vault: TokenVault }).vault.read(session.userId, "oura"));
    const before = (await read())!.tokens;
    const refreshed = await hub(session.userId).getAccessToken(session.userId, "oura", { forceRefresh: true });
    expect(refreshed.ok).toBe(true);
    const after = (await read())!.tokens;
    expect(after.refreshToken).not.toBe(before.refreshToken);

    const credentials = await sandboxCredentials("oura", env);
    const replay = await createSandboxFetch(env)("https://api.ouraring.com/oauth/token", {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: before.refreshToken!,
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret!,
      }),
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("takes Oura's client credentials only in the body, as Oura does", async () => {
    const credentials = await sandboxCredentials("oura", env);
    const basic = await createSandboxFetch(env)("https://api.ouraring.com/oauth/token", {
      method: "POST",
      headers: { Authorization: `Basic ${btoa(`${credentials.clientId}:${credentials.clientSecret}`)}` },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "x" }),
    });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toMatchObject({ error: "invalid_client" });
  });

  it("disconnect revokes the grant at the sandbox provider and deletes the tokens; delete_data removes that source's records only", async () => {
    const session = await signIn();
    await connectThroughSandbox("garmin", session);
    await connectThroughSandbox("oura", session);
    const access = await hub(session.userId).getAccessToken(session.userId, "garmin");
    expect(access.ok).toBe(true);
    const now = Date.now();
    const record = (externalId: string) =>
      ({ kind: "daily_activity", externalId, startTime: now, endTime: null, data: {}, raw: null }) as unknown as NormalizedRecord;
    expect((await storeRecords(env, session.userId, "garmin", [record("g1")])).written).toBe(1);
    expect((await storeRecords(env, session.userId, "oura", [record("o1")])).written).toBe(1);

    const response = await postForm("/api/integrations/garmin/disconnect", session, { delete_data: "yes" });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/settings?disconnected=garmin");
    if (access.ok) expect(await verifyAccessToken(env, access.accessToken)).toBeNull();
    expect(await hubHoldsTokens(session.userId, "garmin")).toBe(false);
    expect((await row(session.userId, "garmin"))?.status).toBe("disconnected");
    const left = await storedRecords(session.userId);
    expect(left.map((stored) => stored.source)).toEqual(["oura"]);
    const revoked = await sandboxDatabase(env).select().from(sandboxGrants).where(eq(sandboxGrants.provider, "garmin"));
    expect(revoked.some((grant) => grant.revokedAt !== null)).toBe(true);

    const page = await (await get("/settings?disconnected=garmin", session)).text();
    expect(page).toContain("Garmin is disconnected, and Wellness OS deleted its keys.");
  });

  it("deletes a source's synced data on request, keeping the connection", async () => {
    const session = await signIn();
    await connectThroughSandbox("oura", session);
    const now = Date.now();
    const record = { kind: "daily_sleep", externalId: "x", startTime: now, endTime: null, data: {}, raw: null } as unknown as NormalizedRecord;
    expect((await storeRecords(env, session.userId, "oura", [record])).written).toBe(1);
    const response = await postForm("/api/integrations/oura/data/delete", session, {}, { headers: { "HX-Request": "true" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Deleted 1 record synced from Oura Ring.");
    expect(await storedRecords(session.userId)).toEqual([]);
    expect((await row(session.userId, "oura"))?.status).toBe("connected");
  });

  it("asks for Gmail consent on our own screen before going to Google", async () => {
    const session = await signIn();
    const response = await get("/api/integrations/gmail/start", session);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Gmail receipts need your explicit consent first");
  });

  it("does not connect sources that are not available", async () => {
    const session = await signIn();
    const response = await get("/api/integrations/apple-health/start", session);
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("Apple Health is not available to connect yet.");
  });
});

describe("sandbox mode is configuration, never a request", () => {
  // wrangler.toml's top-level (production) vars over the test secrets: what a deploy without provider credentials runs.
  const production = { ...env, ...env.TEST_PRODUCTION_VARS } as Env;

  it("is off in production: no sandbox routes in either entry, and sources without credentials are coming soon", async () => {
    // The production entry has no development routes at all; the development entry refuses them unless
    // ENVIRONMENT=development. The production bundle check (scripts/check-production-bundle.mjs) proves the rest.
    const { default: productionEntry } = await import("../src/index");
    const { default: developmentEntry } = await import("../src/development/index");
    const headers = { "Cf-Access-Jwt-Assertion": "x" };
    const productionEnv = { ...production, CF_ACCESS_TEAM_DOMAIN: "https://t.cloudflareaccess.com", CF_ACCESS_AUD: "aud" } as Env;
    for (const worker of [productionEntry, developmentEntry]) {
      for (const path of ["/sandbox/oura/authorize?response_type=code", "/api/integrations/oura/start", "/dev/sign-in?ENVIRONMENT=development"]) {
        const response = await worker.fetch(new Request(`${ORIGIN}${path}`, { headers }), productionEnv, createExecutionContext());
        expect([401, 404], path).toContain(response.status);
      }
    }
    const { sourceMode } = await import("../src/domain/availability");
    const { CATALOG } = await import("../src/domain/catalog");
    for (const entry of CATALOG) expect(sourceMode(entry, production), entry.id).toBe("unavailable");
    for (const entry of CATALOG) expect(sourceMode(entry, env), entry.id).toBe(entry.hasSandbox ? "sandbox" : "unavailable");
  });

  it("reads ENVIRONMENT=production from wrangler.toml's top level (production)", () => {
    expect(env.TEST_PRODUCTION_VARS.ENVIRONMENT).toBe("production");
    expect(env.TEST_PRODUCTION_VARS.PUBLIC_BASE_URL).toMatch(/^https:\/\//);
  });

  it("a signed-in person cannot reach a sandbox consent page from another origin's form", async () => {
    const session = await signIn();
    const response = await exports.default.fetch(`${ORIGIN}/sandbox/oura/authorize`, {
      method: "POST",
      headers: { Cookie: session.cookie, Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
      body: "decision=allow",
    });
    expect(response.status).toBe(403);
  });
});
