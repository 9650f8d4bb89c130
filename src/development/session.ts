import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv, AppUser } from "../app-env";
import { isDevelopment } from "../config";
import { encodeBase64urlNoPadding, hmacSha256, timingSafeEqual } from "../lib/encoding";
import { userIdFor } from "../lib/ids";

/**
 * The development sign-in's session: a cookie `<base64 JSON>.<HMAC>`, signed with SESSION_SECRET through the
 * isolate's cached key (hono's signed-cookie helper imports the key on every request, a cost paid on every page
 * view). Honoured only when ENVIRONMENT=development, even in the development entry.
 */
const DEV_SESSION_COOKIE = "wos_dev_session";
const DEV_SESSION_TTL_S = 7 * 24 * 60 * 60;

interface DevSession {
  uid: string;
  email: string;
  name: string | null;
  exp: number;
}

const sessionSignature = async (secret: string, value: string) => encodeBase64urlNoPadding(await hmacSha256(secret, `dev-session:${value}`));

export async function devSessionUser(c: Context<AppEnv>): Promise<AppUser | null> {
  if (!isDevelopment(c.env) || !c.env.SESSION_SECRET) return null;
  const cookie = getCookie(c, DEV_SESSION_COOKIE);
  const separator = cookie?.lastIndexOf(".") ?? -1;
  if (!cookie || separator <= 0) return null;
  const raw = cookie.slice(0, separator);
  if (!timingSafeEqual(cookie.slice(separator + 1), await sessionSignature(c.env.SESSION_SECRET, raw))) return null;
  try {
    const session = JSON.parse(atob(raw)) as DevSession;
    if (session.exp * 1000 < Date.now()) return null;
    return { id: session.uid, email: session.email, displayName: session.name, accessSubject: null, via: "dev" };
  } catch {
    return null;
  }
}

export async function startDevSession(c: Context<AppEnv>, email: string, name: string | null): Promise<AppUser> {
  const user: AppUser = { id: await userIdFor(`dev:${email}`), email, displayName: name, accessSubject: null, via: "dev" };
  const session: DevSession = { uid: user.id, email, name, exp: Math.floor(Date.now() / 1000) + DEV_SESSION_TTL_S };
  const value = btoa(JSON.stringify(session));
  setCookie(c, DEV_SESSION_COOKIE, `${value}.${await sessionSignature(c.env.SESSION_SECRET, value)}`, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    maxAge: DEV_SESSION_TTL_S,
  });
  return user;
}

export function endDevSession(c: Context<AppEnv>): void {
  deleteCookie(c, DEV_SESSION_COOKIE, { path: "/" });
}
