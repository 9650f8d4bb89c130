import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { timingSafeEqual } from "../lib/encoding";
import { errorResponse } from "../routes/errors";

export const CSRF_HEADER = "X-CSRF-Token";
export const CSRF_FIELD = "_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The browser's own word on where an unsafe request comes from, whatever its content type (hono's csrf middleware
 * checks only form and text types, so a JSON POST from another site passed): every provenance header present must
 * say this origin, and at least one must be present. Browsers send Origin on every POST, PUT, PATCH and DELETE
 * (and Sec-Fetch-Site on all requests); a request with neither is not from a browser page of ours.
 */
function fromThisSite(c: Context<AppEnv>): boolean {
  const origin = c.req.header("Origin");
  const site = c.req.header("Sec-Fetch-Site");
  if (origin === undefined && site === undefined) return false;
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return false;
  if (site !== undefined && site !== "same-origin") return false;
  return true;
}

/**
 * For routes a native app calls with the person's identity (no CSRF token to present, and no Origin header to
 * send): a request that a browser marks as coming from another site is still refused, whatever its content type.
 */
export function refuseOtherSites(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header("Origin");
    const site = c.req.header("Sec-Fetch-Site");
    if ((origin !== undefined && origin !== new URL(c.req.url).origin) || (site !== undefined && site !== "same-origin" && site !== "none")) {
      return errorResponse(c, 403, "This request did not come from a Wellness OS page. Reload the page and try again.");
    }
    await next();
  };
}

/**
 * Two checks on every state-changing request of a signed-in person, whatever its content type: the browser's own
 * provenance (Origin / Sec-Fetch-Site), and a token bound to the user (header `X-CSRF-Token`, which htmx sends,
 * or the `_csrf` form field, which plain forms send). Provider webhooks (server to server, signature-verified)
 * and /api/v1 (a bearer token, no ambient credential) are mounted before this and deliberately not covered.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    if (!fromThisSite(c)) return errorResponse(c, 403, "This request did not come from a Wellness OS page. Reload the page and try again.");
    // Without a session there is no ambient credential to ride (e.g. the sign-in form): provenance alone applies.
    if (!c.get("user")) return next();
    const expected = c.get("csrfToken");
    let presented = c.req.header(CSRF_HEADER);
    if (!presented) {
      const type = c.req.header("content-type") ?? "";
      if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
        const body = await c.req.parseBody();
        presented = typeof body[CSRF_FIELD] === "string" ? body[CSRF_FIELD] : undefined;
      }
    }
    if (!expected || !presented || !timingSafeEqual(presented, expected)) {
      return errorResponse(c, 403, "This form expired or did not come from Wellness OS. Reload the page and try again.");
    }
    await next();
  };
}
