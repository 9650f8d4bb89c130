import { and, eq, isNull } from "drizzle-orm";
import { encodeBase64urlNoPadding, hmacSha256, randomToken, sha256Hex, timingSafeEqual, utf8 } from "../lib/encoding";
import { sandboxDatabase } from "./database";
import { sandboxGrants } from "./schema";

/**
 * The sandbox providers' authorization server state. Codes and access tokens are signed (HMAC under a key
 * derived from SESSION_SECRET) and self-describing; what must be one-time or rotating lives in the development-only
 * database's `sandbox_grants`: a code is redeemable once, and only the newest refresh token of a grant works.
 */
const CODE_TTL_MS = 10 * 60 * 1000;

export class SandboxOAuthError extends Error {
  constructor(
    readonly code: "invalid_grant" | "invalid_request" | "invalid_client" | "invalid_token",
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
  }
}

interface CodeClaims {
  /** source */
  p: string;
  /** subject (the sandbox's account id for this person) */
  s: string;
  scope: string;
  /** redirect_uri the code was issued for */
  r: string;
  /** PKCE S256 challenge, if one was sent */
  c: string | null;
  /** expiry, epoch ms */
  e: number;
  n: string;
}

interface AccessClaims {
  g: string;
  p: string;
  s: string;
  e: number;
}

async function signed(env: Pick<Env, "SESSION_SECRET">, kind: string, claims: object): Promise<string> {
  const body = encodeBase64urlNoPadding(utf8(JSON.stringify(claims)));
  const signature = encodeBase64urlNoPadding(await hmacSha256(env.SESSION_SECRET, `sandbox-${kind}:${body}`));
  return `sbx_${kind}.${body}.${signature}`;
}

async function verified<T>(env: Pick<Env, "SESSION_SECRET">, kind: string, token: string): Promise<T | null> {
  const [prefix, body, signature] = token.split(".");
  if (prefix !== `sbx_${kind}` || !body || !signature) return null;
  const expected = encodeBase64urlNoPadding(await hmacSha256(env.SESSION_SECRET, `sandbox-${kind}:${body}`));
  if (!timingSafeEqual(signature, expected)) return null;
  try {
    return JSON.parse(atob(body.replaceAll("-", "+").replaceAll("_", "/"))) as T;
  } catch {
    return null;
  }
}

export async function issueCode(
  env: Env,
  claims: { source: string; subject: string; scope: string; redirectUri: string; codeChallenge: string | null },
): Promise<string> {
  const payload: CodeClaims = {
    p: claims.source,
    s: claims.subject,
    scope: claims.scope,
    r: claims.redirectUri,
    c: claims.codeChallenge,
    e: Date.now() + CODE_TTL_MS,
    n: randomToken(12),
  };
  return signed(env, "code", payload);
}

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: "Bearer";
  scope: string;
}

async function issueTokens(env: Env, grantId: string, source: string, subject: string, scope: string, ttlSeconds: number) {
  const refreshToken = `sbx_rt.${randomToken(32)}`;
  const accessToken = await signed(env, "at", { g: grantId, p: source, s: subject, e: Date.now() + ttlSeconds * 1000 } satisfies AccessClaims);
  const tokens: IssuedTokens = { access_token: accessToken, refresh_token: refreshToken, expires_in: ttlSeconds, token_type: "Bearer", scope };
  return { tokens, refreshTokenHash: await sha256Hex(refreshToken) };
}

/** Redeems an authorization code once; a replayed or expired code, or a wrong verifier, is `invalid_grant`. */
export async function redeemCode(
  env: Env,
  code: string,
  request: { source: string; redirectUri: string | null; codeVerifier: string | null; requirePkce: boolean; ttlSeconds: number },
): Promise<{ tokens: IssuedTokens; subject: string }> {
  const claims = await verified<CodeClaims>(env, "code", code);
  if (!claims || claims.p !== request.source) throw new SandboxOAuthError("invalid_grant", "unknown authorization code");
  if (claims.e < Date.now()) throw new SandboxOAuthError("invalid_grant", "authorization code expired");
  if (request.redirectUri !== claims.r) throw new SandboxOAuthError("invalid_grant", "redirect_uri does not match the authorization request");
  if (claims.c || request.requirePkce) {
    const challenge = request.codeVerifier ? encodeBase64urlNoPadding(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(request.codeVerifier)))) : null;
    if (!claims.c || !challenge || !timingSafeEqual(challenge, claims.c)) {
      throw new SandboxOAuthError("invalid_grant", "code_verifier does not match code_challenge");
    }
  }
  const grantId = `sbxg_${randomToken(12)}`;
  const { tokens, refreshTokenHash } = await issueTokens(env, grantId, claims.p, claims.s, claims.scope, request.ttlSeconds);
  const inserted = await sandboxDatabase(env)
    .insert(sandboxGrants)
    .values({ id: grantId, provider: claims.p, subject: claims.s, codeHash: await sha256Hex(code), refreshTokenHash, scope: claims.scope })
    .onConflictDoNothing()
    .returning({ id: sandboxGrants.id });
  if (inserted.length === 0) throw new SandboxOAuthError("invalid_grant", "authorization code already used");
  return { tokens, subject: claims.s };
}

/** Rotates: the presented refresh token must be the grant's newest; it stops working the moment this returns. */
export async function rotateRefreshToken(
  env: Env,
  source: string,
  refreshToken: string,
  ttlSeconds: number,
): Promise<{ tokens: IssuedTokens; subject: string }> {
  const db = sandboxDatabase(env);
  const presentedHash = await sha256Hex(refreshToken);
  const [grant] = await db
    .select()
    .from(sandboxGrants)
    .where(and(eq(sandboxGrants.refreshTokenHash, presentedHash), eq(sandboxGrants.provider, source), isNull(sandboxGrants.revokedAt)))
    .limit(1);
  if (!grant) throw new SandboxOAuthError("invalid_grant", "refresh token is invalid, rotated or revoked");
  const { tokens, refreshTokenHash } = await issueTokens(env, grant.id, source, grant.subject, grant.scope, ttlSeconds);
  // Compare-and-swap on the old hash, so two concurrent refreshes with the same token cannot both succeed.
  const swapped = await db
    .update(sandboxGrants)
    .set({ refreshTokenHash })
    .where(and(eq(sandboxGrants.id, grant.id), eq(sandboxGrants.refreshTokenHash, presentedHash)))
    .returning({ id: sandboxGrants.id });
  if (swapped.length === 0) throw new SandboxOAuthError("invalid_grant", "refresh token was already used");
  return { tokens, subject: grant.subject };
}

export interface VerifiedAccess {
  grantId: string;
  source: string;
  subject: string;
}

/** Checks a sandbox access token: signature, expiry, and that its grant was not revoked. */
export async function verifyAccessToken(env: Env, token: string): Promise<VerifiedAccess | null> {
  const claims = await verified<AccessClaims>(env, "at", token);
  if (!claims || claims.e < Date.now()) return null;
  const [grant] = await sandboxDatabase(env)
    .select({ id: sandboxGrants.id })
    .from(sandboxGrants)
    .where(and(eq(sandboxGrants.id, claims.g), isNull(sandboxGrants.revokedAt)))
    .limit(1);
  return grant ? { grantId: claims.g, source: claims.p, subject: claims.s } : null;
}

/** Revokes the grant a token (access or refresh) belongs to. Unknown tokens are ignored, as RFC 7009 asks. */
export async function revokeByToken(env: Env, token: string): Promise<void> {
  const db = sandboxDatabase(env);
  const access = await verified<AccessClaims>(env, "at", token);
  const now = Date.now();
  if (access) {
    await db.update(sandboxGrants).set({ revokedAt: now }).where(eq(sandboxGrants.id, access.g));
    return;
  }
  await db
    .update(sandboxGrants)
    .set({ revokedAt: now })
    .where(eq(sandboxGrants.refreshTokenHash, await sha256Hex(token)));
}

/** The sandbox account id a person gets at a provider: stable per person and provider, meaningless elsewhere. */
export async function sandboxSubject(source: string, userId: string): Promise<string> {
  return `sbx-${(await sha256Hex(`${source}:${userId}`)).slice(0, 16)}`;
}

/** A grant and access token issued without the consent dance, for tests that exercise a sandbox's data API. */
export async function issueSandboxAccessToken(env: Env, source: string, subject: string, ttlSeconds = 3600): Promise<string> {
  const grantId = `sbxg_${randomToken(12)}`;
  await sandboxDatabase(env)
    .insert(sandboxGrants)
    .values({ id: grantId, provider: source, subject, codeHash: await sha256Hex(`direct:${grantId}`), refreshTokenHash: null, scope: "" });
  return signed(env, "at", { g: grantId, p: source, s: subject, e: Date.now() + ttlSeconds * 1000 } satisfies AccessClaims);
}
