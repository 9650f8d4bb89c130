import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { errorResponse } from "../routes/errors";

const FORM_TYPE = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * A form body that cannot be parsed (a multipart body without its boundary, bytes that are not a form) is a clear
 * 400 here, once, instead of a TypeError wherever a handler or the CSRF check first reads it. Parsed once, the form
 * is cached by hono, so later reads cost nothing.
 */
export function formBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && FORM_TYPE.test(c.req.header("content-type") ?? "")) {
      try {
        await c.req.parseBody();
      } catch {
        return errorResponse(c, 400, "That form could not be read. Reload the page and try again.");
      }
    }
    await next();
  };
}
