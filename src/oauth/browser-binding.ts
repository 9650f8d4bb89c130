import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { AUTHORIZATION_TTL_MS } from "../../durable-objects/user-hub";
import type { AppEnv } from "../app-env";
import { isDevelopment } from "../config";
import type { SourceId } from "../domain/integration";
import { randomToken, sha256Hex, timingSafeEqual } from "../lib/encoding";

/**
 * Binds a pending authorization to the browser that started it: Connect sets a random nonce in a cookie only the
 * callback receives, and the pending authorization keeps its SHA-256 (never the nonce itself). A callback from any
 * other browser, even the same person's, or with a state learned elsewhere, is refused. SameSite=Lax because the
 * callback is a top-level navigation from the provider's site; HttpOnly and, outside local development, Secure.
 * One cookie per source, so two Connects in two tabs do not overwrite each other.
 */
const cookieName = (source: SourceId) => `wos_oauth_${source.replaceAll("-", "_")}`;
const cookiePath = (source: SourceId) => `/api/integrations/${source}/callback`;
const secure = (c: Context<AppEnv>) => !isDevelopment(c.env) || new URL(c.req.url).protocol === "https:";

/** Sets the nonce cookie on the Connect response and returns what the pending authorization stores. */
export async function bindToBrowser(c: Context<AppEnv>, source: SourceId): Promise<string> {
  const nonce = randomToken();
  setCookie(c, cookieName(source), nonce, {
    httpOnly: true,
    secure: secure(c),
    sameSite: "Lax",
    path: cookiePath(source),
    maxAge: Math.floor(AUTHORIZATION_TTL_MS / 1000),
  });
  return sha256Hex(nonce);
}

/** Whether this request comes from the browser the authorization was bound to; the cookie is spent either way. */
export async function fromBoundBrowser(c: Context<AppEnv>, source: SourceId, binding: string | null): Promise<boolean> {
  const nonce = getCookie(c, cookieName(source));
  forgetBinding(c, source);
  if (!nonce || !binding) return false;
  return timingSafeEqual(await sha256Hex(nonce), binding);
}

export function forgetBinding(c: Context<AppEnv>, source: SourceId): void {
  deleteCookie(c, cookieName(source), { path: cookiePath(source), secure: secure(c), httpOnly: true, sameSite: "Lax" });
}
