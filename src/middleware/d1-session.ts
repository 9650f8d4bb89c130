import type { MiddlewareHandler } from "hono";
import { generateCookie, getCookie } from "hono/cookie";
import type { AppEnv } from "../app-env";
import { sessionDatabase } from "../db/client";

// D1 read replication: a signed-in person's requests read D1 through a session, which may be served by a replica
// near them. The session starts from the bookmark of their last response (a cookie), so whatever they wrote (or
// saw) before is visible: read-your-writes and sequential consistency per person, never a step back in time.

export const BOOKMARK_COOKIE = "wos_d1_bookmark";
/** Replicas catch up within seconds; the bookmark only has to bridge a person's next few clicks. */
const BOOKMARK_MAX_AGE_S = 30 * 60;
/** D1 bookmarks are dash-separated hex groups (e.g. `00000085-0000024c-00004c6d-8e61…`); anything else is ignored. */
const BOOKMARK_PATTERN = /^[0-9a-f]+(?:-[0-9a-f]+){0,7}$/i;
const BOOKMARK_MAX_LENGTH = 128;
/** Browsers refuse Secure cookies over http, which local development is. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The cookie's bookmark when it looks like one; a forged, truncated or oversized value is treated as absent. */
function readBookmark(value: string | undefined): string | null {
  if (!value || value.length > BOOKMARK_MAX_LENGTH || !BOOKMARK_PATTERN.test(value)) return null;
  return value;
}

/**
 * For a signed-in person: `db` and `d1` become their D1 session, started from the bookmark cookie (or anywhere,
 * `first-unconstrained`, when there is none); every response that ran statements carries the session's latest
 * bookmark back (when it moved). Writes go through the same session, so the bookmark moves past them.
 */
export function d1Session(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get("user")) return next();
    const incoming = readBookmark(getCookie(c, BOOKMARK_COOKIE));
    const session = c.env.DB.withSession(incoming ?? "first-unconstrained");
    c.set("d1", session);
    c.set("db", sessionDatabase(session));
    await next();
    const bookmark = session.getBookmark();
    // Unchanged means nothing ran (or nothing newer was seen); a WebSocket upgrade's response cannot be re-wrapped.
    if (!bookmark || bookmark === incoming || c.res.status === 101) return;
    const cookie = generateCookie(BOOKMARK_COOKIE, bookmark, {
      httpOnly: true,
      secure: !LOCAL_HOSTS.has(new URL(c.req.url).hostname),
      sameSite: "Lax",
      path: "/",
      maxAge: BOOKMARK_MAX_AGE_S,
    });
    // Onto the finished response's own headers: hono's setCookie (c.header) after the handler copies the whole
    // response, body stream included, to add one header. A response with immutable headers (one fetched from a
    // Durable Object) still takes that path.
    try {
      c.res.headers.append("Set-Cookie", cookie);
    } catch {
      c.header("Set-Cookie", cookie, { append: true });
    }
  };
}
