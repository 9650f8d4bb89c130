import { env } from "cloudflare:workers";
import { expect, it } from "vitest";

// Issue 12, item 6: static assets are served before the Worker runs, so they get their security headers from
// public/_headers, applied by the assets binding exactly as in production.
it.each(["/css/app.css", "/js/app.js", "/favicon.svg", "/vendor/htmx.min.js"])("%s is served with nosniff and the other security headers", async (path) => {
  const response = await env.ASSETS.fetch(`http://localhost:8787${path}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("X-Frame-Options")).toBe("DENY");
  expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
  expect(response.headers.get("Strict-Transport-Security")).toMatch(/^max-age=\d+/);
  expect(response.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
});
