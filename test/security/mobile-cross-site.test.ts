import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ORIGIN, signIn } from "../helpers";

// Issue 12, item 7: /api/mobile is called by the phone app (no CSRF token, no Origin), so it is outside the token
// check by route; a request a browser marks as from another site is still refused, whatever its content type.
// And its JSON goes through the shared bounded parser: a deeply nested body is a 400.
const handoff = (cookie: string, headers: Record<string, string>, body: string) =>
  exports.default.fetch(`${ORIGIN}/api/mobile/junction/handoff`, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/json", ...headers },
    body,
  });

it.each<Record<string, string>>([{ Origin: "https://evil.example" }, { "Sec-Fetch-Site": "cross-site" }])(
  "refuses a cross-site browser request (%o)",
  async (headers) => {
    const session = await signIn();
    const response = await handoff(session.cookie, headers, JSON.stringify({ code: "ABCD-1234" }));
    expect(response.status).toBe(403);
  },
);

it("answers a 5,000-deep body with 400, not a crash", async () => {
  const session = await signIn();
  const response = await handoff(session.cookie, {}, `${"[".repeat(5000)}${"]".repeat(5000)}`);
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ error: "JSON nests deeper than 64 levels" });
});
