import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { get, ORIGIN, signIn } from "../helpers";

// Issue 12, item 6: nothing the Worker answers about a person may be kept by a browser or a shared cache.
it("every authenticated page and htmx fragment is no-store", async () => {
  const session = await signIn();
  for (const path of ["/settings", "/settings/devices", "/settings/cards/oura", "/api/integrations/oura/connect"]) {
    const response = await get(path, session, { "HX-Request": "true" });
    expect(response.headers.get("Cache-Control"), path).toBe("no-store");
  }
  const page = await get("/settings", session);
  expect(page.status).toBe(200);
  expect(page.headers.get("Cache-Control")).toBe("no-store");
});

it("every /api/v1 answer is no-store, refusals included", async () => {
  const api = (token: string | null) =>
    exports.default.fetch(`${ORIGIN}/api/v1/users/usr_nobody/records`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  const ok = await api(env.SERVICE_API_TOKEN);
  expect(ok.status).toBe(200);
  expect(ok.headers.get("Cache-Control")).toBe("no-store");
  const refused = await api(null);
  expect(refused.status).toBe(401);
  expect(refused.headers.get("Cache-Control")).toBe("no-store");
});

it("redirects and error pages are no-store", async () => {
  for (const path of ["/", "/settings", "/no-such-page"]) {
    const response = await get(path);
    expect(response.headers.get("Cache-Control"), path).toBe("no-store");
  }
});
