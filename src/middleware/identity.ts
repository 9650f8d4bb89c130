import type { Context, MiddlewareHandler } from "hono";
import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import { verifyWithJwks } from "hono/utils/jwt/jwt";
import type { AppEnv, AppUser } from "../app-env";
import { encodeBase64urlNoPadding, hmacSha256 } from "../lib/encoding";
import { userIdFor } from "../lib/ids";
import { development } from "../platform/development";

const ACCESS_JWT_HEADER = "Cf-Access-Jwt-Assertion";
const ACCESS_CERTS_PATH = "/cdn-cgi/access/certs";
const JWKS_TTL_MS = 60 * 60 * 1000;

export interface IdentityOptions {
  /**
   * The Access team's signing keys. Defaults to fetching `<team domain>/cdn-cgi/access/certs` and caching them
   * for an hour in the isolate; tests pass keys they generated.
   */
  accessKeys?: (c: Context<AppEnv>) => Promise<HonoJsonWebKey[]>;
}

type CachedKeys = { teamDomain: string; keys: HonoJsonWebKey[]; fetchedAt: number };
let cachedAccessKeys: CachedKeys | undefined;

async function fetchAccessKeys(c: Context<AppEnv>): Promise<HonoJsonWebKey[]> {
  const teamDomain = c.env.CF_ACCESS_TEAM_DOMAIN;
  if (cachedAccessKeys && cachedAccessKeys.teamDomain === teamDomain && Date.now() - cachedAccessKeys.fetchedAt < JWKS_TTL_MS) {
    return cachedAccessKeys.keys;
  }
  const response = await fetch(new URL(ACCESS_CERTS_PATH, teamDomain));
  if (!response.ok) throw new Error(`Access certs answered ${response.status}`);
  const body = (await response.json()) as { keys?: HonoJsonWebKey[] };
  if (!Array.isArray(body.keys)) throw new Error("Access certs had no keys");
  cachedAccessKeys = { teamDomain, keys: body.keys, fetchedAt: Date.now() };
  return body.keys;
}

// An Access JWT is re-sent on every request of a session; verifying its RS256 signature each time is the costliest
// step of a page view, so a verified token is remembered (in this isolate only) until it expires, at most 5 min.
const ACCESS_CACHE_MS = 5 * 60_000;
const ACCESS_CACHE_SIZE = 1000;
const verifiedAccess = new Map<string, { user: AppUser; until: number }>();

async function accessUser(c: Context<AppEnv>, options: IdentityOptions): Promise<AppUser | null> {
  const token = c.req.header(ACCESS_JWT_HEADER);
  if (!token || !c.env.CF_ACCESS_TEAM_DOMAIN || !c.env.CF_ACCESS_AUD) return null;
  const key = `${c.env.CF_ACCESS_AUD}\u0000${token}`;
  const remembered = verifiedAccess.get(key);
  if (remembered && remembered.until > Date.now()) return remembered.user;
  const user = await verifyAccessUser(c, options, token);
  if (user) {
    if (verifiedAccess.size >= ACCESS_CACHE_SIZE) verifiedAccess.clear();
    verifiedAccess.set(key, { user, until: Math.min(Date.now() + ACCESS_CACHE_MS, user.expiresAt) });
  }
  return user;
}

async function verifyAccessUser(c: Context<AppEnv>, options: IdentityOptions, token: string): Promise<(AppUser & { expiresAt: number }) | null> {
  try {
    const keys = await (options.accessKeys ?? fetchAccessKeys)(c);
    const payload = await verifyWithJwks(token, {
      keys,
      allowedAlgorithms: ["RS256"],
      verification: { aud: c.env.CF_ACCESS_AUD, iss: c.env.CF_ACCESS_TEAM_DOMAIN.replace(/\/$/, "") },
    });
    const subject = typeof payload.sub === "string" ? payload.sub : null;
    const email = typeof payload.email === "string" ? payload.email : null;
    if (!subject || !email || typeof payload.exp !== "number") return null;
    return { id: await userIdFor(`access:${subject}`), email, displayName: null, accessSubject: subject, via: "access", expiresAt: payload.exp * 1000 };
  } catch {
    // The token is in the error; say nothing about it.
    return null;
  }
}

/** The token a state-changing request must echo; derived from the user and the session secret, never stored. */
export async function csrfTokenFor(secret: string, userId: string): Promise<string> {
  return encodeBase64urlNoPadding(await hmacSha256(secret, `csrf:${userId}`));
}

/**
 * Resolves who is asking: a verified Cloudflare Access JWT in every environment, or, when the development entry
 * installed its kit, the development session. Sets `user` and `csrfToken`; leaves `user` unset when nobody is signed in.
 */
export function identity(options: IdentityOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = (await accessUser(c, options)) ?? (await development()?.sessionUser(c)) ?? null;
    if (user) {
      c.set("user", user);
      c.set("csrfToken", await csrfTokenFor(c.env.SESSION_SECRET, user.id));
    }
    await next();
  };
}
