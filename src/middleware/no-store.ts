import type { MiddlewareHandler } from "hono";

/**
 * `Cache-Control: no-store` on every response the Worker itself makes: pages, htmx fragments, /api/v1 JSON,
 * errors and redirects are all about one person (or carry a CSRF token), and none may be kept by a browser's
 * back/forward cache, a shared proxy or Cloudflare's cache. Static assets never reach the Worker (they are served
 * first, with public/_headers). A WebSocket upgrade (101) has no cacheable body and immutable headers.
 */
export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.status === 101) return;
    try {
      c.res.headers.set("Cache-Control", "no-store");
    } catch {
      // A response built elsewhere (e.g. fetched from a Durable Object) can have immutable headers: copy it.
      const copy = new Response(c.res.body, c.res);
      copy.headers.set("Cache-Control", "no-store");
      c.res = copy;
    }
  };
}
