import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import type { AppEnv } from "../app-env";
import { timingSafeEqual } from "../lib/encoding";
import { errorResponse } from "../routes/errors";

export const CSRF_HEADER = "X-CSRF-Token";
export const CSRF_FIELD = "_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Two checks on every state-changing request of a signed-in person:
 * the browser's own provenance (Origin / Sec-Fetch-Site, hono's csrf middleware), and a token bound to the user
 * (header `X-CSRF-Token`, which htmx sends, or the `_csrf` form field, which plain forms send).
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  const provenance = csrf();
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    // Without a session there is no ambient credential to ride (e.g. the sign-in form): provenance alone applies.
    if (!c.get("user")) return provenance(c, next);
    let rejection: Response | undefined;
    await provenance(c, async () => {
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
        rejection = await errorResponse(c, 403, "This form expired or did not come from Wellness OS. Reload the page and try again.");
        return;
      }
      await next();
    });
    return rejection;
  };
}
