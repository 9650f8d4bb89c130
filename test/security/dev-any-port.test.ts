import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

// `npm run dev -- --port 8811` (issue 12, item 10): wrangler.toml says PUBLIC_BASE_URL=http://localhost:8787, but
// in development the origin the browser used is the public one, so Connect stays on :8811 end to end.
const PORT_ORIGIN = "http://localhost:8811";

async function signInAt(origin: string) {
  const response = await exports.default.fetch(`${origin}/dev/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body: new URLSearchParams({ email: `port-${crypto.randomUUID()}@example.test`, next: "/settings" }),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return (response.headers.get("Set-Cookie") ?? "").split(";")[0]!;
}

it("Connect on another port sends the browser to that port's consent page with that port's redirect URI", async () => {
  const cookie = await signInAt(PORT_ORIGIN);
  const start = await exports.default.fetch(`${PORT_ORIGIN}/api/integrations/oura/start`, { headers: { Cookie: cookie }, redirect: "manual" });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("Location")!);
  expect(authorize.origin).toBe(PORT_ORIGIN);
  expect(authorize.searchParams.get("redirect_uri")).toBe(`${PORT_ORIGIN}/api/integrations/oura/callback`);

  const consent = await exports.default.fetch(`${PORT_ORIGIN}${authorize.pathname}${authorize.search}`, { headers: { Cookie: cookie } });
  expect(consent.status).toBe(200);
  // The consent form posts and redirects within :8811, which the page's own form-action allows.
  expect(consent.headers.get("Content-Security-Policy")).toMatch(/form-action 'self'/);
});
