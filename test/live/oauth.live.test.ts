import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TokenVault } from "../../durable-objects/token-vault";
import type { UserHub } from "../../durable-objects/user-hub";
import { createApp } from "../../src/app";
import { consents, integrationConnections } from "../../src/db/schema";
import type { SourceId } from "../../src/domain/integration";
import { callbackCookie, db, hubHoldsTokens, ORIGIN, recordingQueue, type Session, signIn } from "../helpers";

// The whole authorization-code (+ PKCE) and refresh flow against a real OAuth 2.0 server on loopback
// (oauth2-mock-server behind test/setup/oauth-peer.ts). Provider endpoints in code stay the real ones;
// outboundService routes them to the peer. All tests that use the peer live in this one file, so its counters
// are never shared with another test file running in parallel.

const peer = env.TEST_PEERS.oauth;
const control = (path: string, body?: unknown) =>
  fetch(`${peer}/__control/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) }).then((r) => r.json());
const tokenRequests = () =>
  control("token-requests") as Promise<
    { grantType: string; clientAuth: string; hasClientSecretInBody: boolean; hasCodeVerifier: boolean; scope: string | null }[]
  >;

const TIMEOUT_MS = 400;
const app = createApp({ engine: { timeoutMs: TIMEOUT_MS } });

async function call(path: string, session: Session, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  // Backfill jobs the callback enqueues are recorded, not run: the live providers' data APIs are not on the peer.
  const response = await app.fetch(
    new Request(`${ORIGIN}${path}`, { ...init, headers: { Cookie: session.cookie, ...init.headers }, redirect: "manual" }),
    { ...env, SYNC_QUEUE: recordingQueue() },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

const hub = (userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));

/** Start → the provider's (the peer's) authorization endpoint → our callback URL, not yet followed. */
async function authorize(source: SourceId, session: Session): Promise<{ authorizeUrl: URL; callback: URL }> {
  const start = await call(`/api/integrations/${source}/start`, session);
  expect(start.status, await start.clone().text()).toBe(302);
  // This browser now also holds the nonce Connect bound the authorization to (src/oauth/browser-binding.ts).
  session.cookie = callbackCookie(session, start);
  const authorizeUrl = new URL(start.headers.get("Location")!);
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  expect(consent.status).toBe(302);
  return { authorizeUrl, callback: new URL(consent.headers.get("Location")!) };
}

async function connect(source: SourceId, session: Session) {
  const { authorizeUrl, callback } = await authorize(source, session);
  const done = await call(`${callback.pathname}${callback.search}`, session);
  return { authorizeUrl, callback, done };
}

async function connectionRow(userId: string, source: SourceId) {
  const [row] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, source)));
  return row;
}

async function storedTokens(userId: string, source: SourceId) {
  return runInDurableObject(hub(userId), async (instance: UserHub) => (instance as unknown as { vault: TokenVault }).vault.read(userId, source));
}

/** Every value in every D1 table, as text, to prove no token ever lands there. */
async function allD1Text(): Promise<string> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{
    name: string;
  }>();
  let text = "";
  for (const { name } of tables.results) text += JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
  return text;
}

let logged: string[] = [];
beforeEach(async () => {
  await control("reset", {});
  logged = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  }
});
afterEach(() => vi.restoreAllMocks());

describe("connecting for real (authorization code against the OAuth peer)", () => {
  it("connects Oura: secret in the body, no PKCE, person's id recorded, consent stored, tokens only in the vault", async () => {
    const session = await signIn();
    const { authorizeUrl, done } = await connect("oura", session);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe("https://cloud.ouraring.com/oauth/authorize");
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe("/settings?connected=oura");

    const [exchange] = await tokenRequests();
    expect(exchange).toMatchObject({ grantType: "authorization_code", clientAuth: "body", hasClientSecretInBody: true, hasCodeVerifier: false });

    const row = await connectionRow(session.userId, "oura");
    expect(row).toMatchObject({ status: "connected", mode: "live", externalUserId: "peer-oura-user", statusReason: null });
    expect(row?.tokenExpiresAt).toBeGreaterThan(Date.now());
    const [consent] = await db().select().from(consents).where(eq(consents.userId, session.userId));
    expect(consent).toMatchObject({ sourceId: "oura", revokedAt: null });

    const stored = await storedTokens(session.userId, "oura");
    expect(stored?.tokens.accessToken.length).toBeGreaterThan(20);
    expect(stored?.tokens.refreshToken).toBeTruthy();
    const d1 = await allD1Text();
    expect(d1).not.toContain(stored!.tokens.accessToken);
    expect(d1).not.toContain(stored!.tokens.refreshToken!);
    const page = await (await call("/settings?connected=oura", session)).text();
    expect(page).toContain("Oura Ring is connected.");
    expect(page).not.toContain(stored!.tokens.accessToken);
    for (const line of logged) {
      expect(line).not.toContain(stored!.tokens.accessToken);
      expect(line).not.toContain(stored!.tokens.refreshToken!);
      expect(line).not.toContain(env.OURA_CLIENT_SECRET);
    }
  });

  it("connects Fitbit through Google: Basic client auth, PKCE S256, offline access with consent", async () => {
    const session = await signIn();
    const { authorizeUrl, done } = await connect("fitbit", session);
    expect(done.status).toBe(303);
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeUrl.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizeUrl.searchParams.get("access_type")).toBe("offline");
    expect(authorizeUrl.searchParams.get("prompt")).toBe("consent");
    expect(authorizeUrl.searchParams.get("scope")).toContain("googlehealth.sleep.readonly");
    const [exchange] = await tokenRequests();
    expect(exchange).toMatchObject({ clientAuth: "basic", hasClientSecretInBody: false, hasCodeVerifier: true });
    expect(await connectionRow(session.userId, "fitbit")).toMatchObject({ status: "connected", externalUserId: "peer-fitbit-user" });
  });

  it("connects WHOOP with a state of exactly eight characters and the offline scope", async () => {
    const session = await signIn();
    const { authorizeUrl, done } = await connect("whoop", session);
    expect(done.status).toBe(303);
    expect(authorizeUrl.searchParams.get("state")).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(authorizeUrl.searchParams.get("scope")?.split(" ")).toContain("offline");
    expect(await connectionRow(session.userId, "whoop")).toMatchObject({ status: "connected", externalUserId: "4242" });
  });

  it("connects Epic by SMART discovery: aud, PKCE, public client, patient context", async () => {
    const session = await signIn();
    await control("faults", [{ kind: "add_fields", fields: { patient: "erXuFYUfucBZaryVksYEcMg3" } }]);
    const { authorizeUrl, done } = await connect("epic", session);
    expect(done.status).toBe(303);
    expect(authorizeUrl.searchParams.get("aud")).toBe(env.EPIC_FHIR_BASE_URL);
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    const [exchange] = await tokenRequests();
    expect(exchange).toMatchObject({ clientAuth: "body", hasClientSecretInBody: false, hasCodeVerifier: true });
    expect(await connectionRow(session.userId, "epic")).toMatchObject({ status: "connected", externalUserId: "erXuFYUfucBZaryVksYEcMg3" });
    expect((await storedTokens(session.userId, "epic"))?.tokens.context.patient).toBe("erXuFYUfucBZaryVksYEcMg3");
  });
});

describe("failures give a clear message and change nothing", () => {
  async function expectNothingConnected(session: Session, source: SourceId) {
    expect(await connectionRow(session.userId, source)).toBeUndefined();
    expect(await hubHoldsTokens(session.userId, source)).toBe(false);
  }

  it("consent denied", async () => {
    const session = await signIn();
    const { callback } = await authorize("oura", session);
    const state = callback.searchParams.get("state")!;
    const denied = await call(`/api/integrations/oura/callback?error=access_denied&state=${state}`, session);
    expect(denied.status).toBe(303);
    expect(denied.headers.get("Location")).toBe("/settings?declined=oura");
    // The state is spent: the code issued for it can no longer be used.
    expect((await call(`${callback.pathname}${callback.search}`, session)).status).toBe(400);
    await expectNothingConnected(session, "oura");
  });

  it("state that never started here, or started for another source", async () => {
    const session = await signIn();
    const { callback } = await authorize("oura", session);
    const forged = new URL(callback);
    forged.searchParams.set("state", "forged-state-value");
    const response = await call(`${forged.pathname}${forged.search}`, session);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("already used or did not start here");

    const { callback: ouraCallback } = await authorize("oura", session);
    const crossed = await call(`/api/integrations/whoop/callback${ouraCallback.search}`, session);
    expect(crossed.status).toBe(400);
    await expectNothingConnected(session, "oura");
    await expectNothingConnected(session, "whoop");
  });

  it("a state bound to one person does not work in another person's session", async () => {
    const alice = await signIn();
    const mallory = await signIn();
    const { callback } = await authorize("oura", alice);
    const response = await call(`${callback.pathname}${callback.search}`, mallory);
    expect(response.status).toBe(400);
    await expectNothingConnected(mallory, "oura");
    await expectNothingConnected(alice, "oura");
  });

  it("replayed state", async () => {
    const session = await signIn();
    const { callback, done } = await connect("oura", session);
    expect(done.status).toBe(303);
    const before = await connectionRow(session.userId, "oura");
    const tokensBefore = await storedTokens(session.userId, "oura");
    const replay = await call(`${callback.pathname}${callback.search}`, session);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("already used");
    expect(await connectionRow(session.userId, "oura")).toEqual(before);
    expect((await storedTokens(session.userId, "oura"))?.tokens).toEqual(tokensBefore?.tokens);
  });

  it("expired state (older than ten minutes)", async () => {
    const session = await signIn();
    const { callback } = await authorize("oura", session);
    await runInDurableObject(hub(session.userId), (_instance, state) => {
      state.storage.sql.exec("UPDATE pending_authorizations SET expires_at = ?", Date.now() - 1);
    });
    const response = await call(`${callback.pathname}${callback.search}`, session);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("expired (links last ten minutes)");
    await expectNothingConnected(session, "oura");
  });

  it("token endpoint answers 5xx", async () => {
    const session = await signIn();
    const { callback } = await authorize("oura", session);
    await control("faults", [{ kind: "status", status: 503 }]);
    const response = await call(`${callback.pathname}${callback.search}`, session);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain("Oura had a problem finishing the connection. Nothing was connected");
    await expectNothingConnected(session, "oura");
  });

  it("token endpoint does not answer in time", async () => {
    const session = await signIn();
    const { callback } = await authorize("oura", session);
    await control("faults", [{ kind: "delay", ms: TIMEOUT_MS * 3 }]);
    const response = await call(`${callback.pathname}${callback.search}`, session);
    expect(response.status).toBe(504);
    expect(await response.text()).toContain("Oura took too long to answer.");
    await expectNothingConnected(session, "oura");
  });

  it("token endpoint answers invalid_grant", async () => {
    const session = await signIn();
    const { callback } = await authorize("oura", session);
    await control("faults", [{ kind: "status", status: 400, body: { error: "invalid_grant", error_description: "code expired" } }]);
    const response = await call(`${callback.pathname}${callback.search}`, session);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Oura did not accept the authorization (invalid_grant)");
    await expectNothingConnected(session, "oura");
  });

  it("token response without the fields we need", async () => {
    for (const missing of ["refresh_token", "access_token"]) {
      const session = await signIn();
      const { callback } = await authorize("oura", session);
      await control("faults", [{ kind: "drop_fields", fields: [missing] }]);
      const response = await call(`${callback.pathname}${callback.search}`, session);
      expect(response.status, missing).toBe(502);
      expect(await response.text()).toContain(`no ${missing.replaceAll("_", " ")}`);
      await expectNothingConnected(session, "oura");
    }
  });

  it("a callback with missing parameters", async () => {
    const session = await signIn();
    for (const query of ["", "?code=abc", "?state=abc", `?code=${"x".repeat(5000)}&state=s`]) {
      const response = await call(`/api/integrations/oura/callback${query}`, session);
      expect(response.status, query).toBe(400);
    }
    await expectNothingConnected(session, "oura");
  });
});

describe("the token vault", () => {
  async function connectedWithExpiredToken(source: SourceId = "oura") {
    const session = await signIn();
    expect((await connect(source, session)).done.status).toBe(303);
    const stored = (await storedTokens(session.userId, source))!;
    await hub(session.userId).storeTokens(session.userId, source, "live", { ...stored.tokens, expiresAt: Date.now() - 1000 });
    await control("reset", {});
    return { session, stored };
  }

  it("refreshes once for 50 concurrent callers, so a rotating refresh token is spent exactly once", async () => {
    const { session, stored } = await connectedWithExpiredToken();
    const results = await Promise.all(Array.from({ length: 50 }, () => hub(session.userId).getAccessToken(session.userId, "oura")));
    const refreshes = (await tokenRequests()).filter((r) => r.grantType === "refresh_token");
    expect(refreshes).toHaveLength(1);
    const after = (await storedTokens(session.userId, "oura"))!;
    expect(new Set(results.map((r) => (r.ok ? r.accessToken : r.reason)))).toEqual(new Set([after.tokens.accessToken]));
    expect(after.tokens.refreshToken).not.toBe(stored.tokens.refreshToken);
    expect(after.tokens.expiresAt).toBeGreaterThan(Date.now());
    expect((await connectionRow(session.userId, "oura"))?.tokenExpiresAt).toBe(after.tokens.expiresAt);
  });

  it("does not refresh a token that is still fresh", async () => {
    const session = await signIn();
    await connect("oura", session);
    await control("reset", {});
    const result = await hub(session.userId).getAccessToken(session.userId, "oura");
    expect(result.ok).toBe(true);
    expect(await tokenRequests()).toEqual([]);
  });

  it("sends WHOOP's offline scope again on refresh", async () => {
    const { session } = await connectedWithExpiredToken("whoop");
    expect((await hub(session.userId).getAccessToken(session.userId, "whoop")).ok).toBe(true);
    const [refresh] = await tokenRequests();
    expect(refresh).toMatchObject({ grantType: "refresh_token", scope: "offline", clientAuth: "body" });
  });

  it("marks the connection needs_reauth with a readable reason and drops the tokens on invalid_grant", async () => {
    const { session } = await connectedWithExpiredToken();
    await control("faults", [{ kind: "status", status: 400, body: { error: "invalid_grant" } }]);
    const result = await hub(session.userId).getAccessToken(session.userId, "oura");
    expect(result).toEqual({ ok: false, reason: "needs_reauth" });
    const row = await connectionRow(session.userId, "oura");
    expect(row?.status).toBe("needs_reauth");
    expect(row?.statusReason).toBe("Oura Ring no longer accepts Wellness OS's access (it may have been revoked or expired). Reconnect to resume syncing.");
    expect(await hubHoldsTokens(session.userId, "oura")).toBe(false);
    const page = await (await call("/settings", session)).text();
    expect(page).toContain("Needs reconnecting");
  });

  it("keeps the tokens and the connection when the provider fails transiently", async () => {
    const { session, stored } = await connectedWithExpiredToken();
    await control("faults", [{ kind: "status", status: 502 }]);
    expect(await hub(session.userId).getAccessToken(session.userId, "oura")).toEqual({ ok: false, reason: "unavailable", retryAfterSeconds: null });
    expect((await connectionRow(session.userId, "oura"))?.status).toBe("connected");
    expect((await storedTokens(session.userId, "oura"))?.tokens.refreshToken).toBe(stored.tokens.refreshToken);
    // The next attempt, once the provider is back, succeeds with the same refresh token.
    expect((await hub(session.userId).getAccessToken(session.userId, "oura")).ok).toBe(true);
  });

  it("forces one refresh after a 401 from the provider's API", async () => {
    const session = await signIn();
    await connect("oura", session);
    await control("reset", {});
    const result = await hub(session.userId).getAccessToken(session.userId, "oura", { forceRefresh: true });
    expect(result.ok).toBe(true);
    expect((await tokenRequests()).map((r) => r.grantType)).toEqual(["refresh_token"]);
  });
});

describe("disconnect", () => {
  it("revokes at the provider, deletes the tokens, marks the connection disconnected and the consent revoked", async () => {
    const session = await signIn();
    await connect("oura", session);
    const stored = (await storedTokens(session.userId, "oura"))!;
    const response = await call("/api/integrations/oura/disconnect", session, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, "HX-Request": "true", "X-CSRF-Token": session.csrfToken },
      body: "",
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<hx-partial hx-target="#card-oura" hx-swap="outerHTML">');
    expect(html).toContain("Oura confirmed the access is revoked.");
    const revocations = (await control("revocations")) as { provider: string; method: string; query: string }[];
    // Oura takes the token as a query parameter.
    expect(revocations).toEqual([{ provider: "oura", method: "POST", query: `?access_token=${encodeURIComponent(stored.tokens.accessToken)}`, body: "" }]);
    expect(await hubHoldsTokens(session.userId, "oura")).toBe(false);
    expect(await connectionRow(session.userId, "oura")).toMatchObject({ status: "disconnected", nextSyncAt: null });
    const [consent] = await db().select().from(consents).where(eq(consents.userId, session.userId));
    expect(consent?.revokedAt).toBeGreaterThan(0);
  });
});

describe("Withings against the OAuth peer (its {status, body} envelope, errors inside HTTP 200)", () => {
  it("connects: comma-joined scopes, action=requesttoken with the secret in the body, the Withings user id kept", async () => {
    const session = await signIn();
    const { authorizeUrl, done } = await connect("withings", session);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe("https://account.withings.com/oauth2_user/authorize2");
    expect(authorizeUrl.searchParams.get("scope")).toBe("user.info,user.metrics");
    expect(done.status).toBe(303);
    const [exchange] = await tokenRequests();
    expect(exchange).toMatchObject({ grantType: "authorization_code", clientAuth: "body", hasClientSecretInBody: true });
    expect(await connectionRow(session.userId, "withings")).toMatchObject({ status: "connected", mode: "live", externalUserId: "363" });
  });

  it("refreshes once for 50 concurrent callers: the rotating refresh token is spent exactly once", async () => {
    const session = await signIn();
    expect((await connect("withings", session)).done.status).toBe(303);
    const stored = (await storedTokens(session.userId, "withings"))!;
    await hub(session.userId).storeTokens(session.userId, "withings", "live", { ...stored.tokens, expiresAt: Date.now() - 1000 });
    await control("reset", {});
    const results = await Promise.all(Array.from({ length: 50 }, () => hub(session.userId).getAccessToken(session.userId, "withings")));
    const refreshes = (await tokenRequests()).filter((r) => r.grantType === "refresh_token");
    expect(refreshes).toHaveLength(1);
    const after = (await storedTokens(session.userId, "withings"))!;
    expect(new Set(results.map((r) => (r.ok ? r.accessToken : r.reason)))).toEqual(new Set([after.tokens.accessToken]));
    expect(after.tokens.refreshToken).not.toBe(stored.tokens.refreshToken);
    expect(after.tokens.context.userid).toBe("363");
  });

  it("a refresh Withings refuses with status 503 inside HTTP 200 asks the person to reconnect; 601 is retried", async () => {
    const session = await signIn();
    expect((await connect("withings", session)).done.status).toBe(303);
    const stored = (await storedTokens(session.userId, "withings"))!;
    await hub(session.userId).storeTokens(session.userId, "withings", "live", { ...stored.tokens, expiresAt: Date.now() - 1000 });

    await control("faults", [{ kind: "status", status: 200, body: { status: 601, body: {}, error: "Too many requests" } }]);
    expect(await hub(session.userId).getAccessToken(session.userId, "withings")).toEqual({ ok: false, reason: "unavailable", retryAfterSeconds: 60 });
    expect((await connectionRow(session.userId, "withings"))?.status).toBe("connected");

    await control("faults", [{ kind: "status", status: 200, body: { status: 503, body: {}, error: "Invalid Params: invalid refresh_token" } }]);
    expect(await hub(session.userId).getAccessToken(session.userId, "withings")).toEqual({ ok: false, reason: "needs_reauth" });
    expect((await connectionRow(session.userId, "withings"))?.status).toBe("needs_reauth");
    expect(await hubHoldsTokens(session.userId, "withings")).toBe(false);
  });
});
