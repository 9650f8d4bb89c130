import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { TokenVault } from "../../durable-objects/token-vault";
import type { UserHub } from "../../durable-objects/user-hub";
import { integrationConnections } from "../../src/db/schema";
import { sandboxCredentials } from "../../src/sandbox/credentials";
import { createSandboxFetch } from "../../src/sandbox/fetch";
import { connectThroughSandbox, db, recordingQueue, signIn } from "../helpers";

/**
 * Withings rotates refresh tokens (each refresh answers a new one; the old one stops working) and answers token
 * errors inside HTTP 200. Against the development sandbox, whose token endpoint speaks Withings' envelope and
 * honours each refresh token once, exactly as the real one does.
 */

const hub = (userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));
const TOKEN_ENDPOINT = "https://wbsapi.withings.net/v2/oauth2";

async function storedTokens(userId: string) {
  return runInDurableObject(hub(userId), async (instance: UserHub) => (instance as unknown as { vault: TokenVault }).vault.read(userId, "withings"));
}

async function connectedWithExpiredToken() {
  const session = await signIn();
  expect((await connectThroughSandbox("withings", session, { callbackEnv: { SYNC_QUEUE: recordingQueue() } })).status).toBe(303);
  const stored = (await storedTokens(session.userId))!;
  await hub(session.userId).storeTokens(session.userId, "withings", "sandbox", { ...stored.tokens, expiresAt: Date.now() - 1000 });
  return { session, stored };
}

/** A refresh request straight to the (sandbox) token endpoint, as Withings takes it. */
async function refreshWith(refreshToken: string) {
  const { clientId, clientSecret } = await sandboxCredentials("withings", env, false);
  const response = await createSandboxFetch(env)(TOKEN_ENDPOINT, {
    method: "POST",
    body: new URLSearchParams({
      action: "requesttoken",
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: clientId,
      client_secret: clientSecret!,
    }),
  });
  return { http: response.status, body: (await response.json()) as { status: number; error?: string; body?: Record<string, unknown> } };
}

describe("Withings token refresh", () => {
  it("keeps the Withings user id from the token answer as the connection's external id", async () => {
    const session = await signIn();
    await connectThroughSandbox("withings", session, { callbackEnv: { SYNC_QUEUE: recordingQueue() } });
    const stored = (await storedTokens(session.userId))!;
    const [row] = await db()
      .select()
      .from(integrationConnections)
      .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "withings")));
    expect(stored.tokens.context.userid).toMatch(/^\d+$/);
    expect(row?.externalUserId).toBe(stored.tokens.context.userid);
  });

  it("refreshes once for 20 concurrent callers: the rotated token is spent exactly once", async () => {
    const { session, stored } = await connectedWithExpiredToken();
    const results = await Promise.all(Array.from({ length: 20 }, () => hub(session.userId).getAccessToken(session.userId, "withings")));
    const after = (await storedTokens(session.userId))!;
    // Had two refreshes run, the second would have presented a spent token and ended in needs_reauth.
    expect(new Set(results.map((r) => (r.ok ? r.accessToken : r.reason)))).toEqual(new Set([after.tokens.accessToken]));
    expect(after.tokens.refreshToken).not.toBe(stored.tokens.refreshToken);
    expect(after.tokens.expiresAt).toBeGreaterThan(Date.now());
    expect(after.tokens.context.userid).toBe(stored.tokens.context.userid);
    // The old refresh token is spent: Withings says so with HTTP 200 and a non-zero status.
    expect(await refreshWith(stored.tokens.refreshToken!)).toEqual({ http: 200, body: expect.objectContaining({ status: 503 }) });
    const [row] = await db()
      .select()
      .from(integrationConnections)
      .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "withings")));
    expect(row?.status).toBe("connected");
  });

  it("a refresh token Withings refuses inside an HTTP 200 ends in needs_reauth with a readable reason", async () => {
    const { session, stored } = await connectedWithExpiredToken();
    // Spend the stored refresh token elsewhere first, as a second client of the same grant would.
    expect((await refreshWith(stored.tokens.refreshToken!)).body.status).toBe(0);
    const result = await hub(session.userId).getAccessToken(session.userId, "withings");
    expect(result).toEqual({ ok: false, reason: "needs_reauth" });
    const [row] = await db()
      .select()
      .from(integrationConnections)
      .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "withings")));
    expect(row?.status).toBe("needs_reauth");
    expect(row?.statusReason).toContain("Withings no longer accepts Wellness OS's access");
    expect(await storedTokens(session.userId)).toBeNull();
  });
});
