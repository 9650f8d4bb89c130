import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ORIGIN } from "../helpers";

// Issue 12, item 3: CR/LF in the sign-in `next` threw a TypeError (a 500) when it became the Location header; and
// item 4: `/\evil.example/` redirected off-site. Both now land on the settings page.
it.each(["/settings\r\nSet-Cookie: stolen=1", "/\\evil.example/", "/\t/evil.example/"])("signs in and redirects to /settings for next=%j", async (next) => {
  const response = await exports.default.fetch(`${ORIGIN}/dev/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
    body: new URLSearchParams({ email: `next-${crypto.randomUUID()}@example.test`, next }),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  expect(response.headers.get("Location")).toBe("/settings");
});

it("the sign-in page never echoes a refused next into its form", async () => {
  const page = await exports.default.fetch(`${ORIGIN}/dev/sign-in?next=${encodeURIComponent("/\\evil.example/")}`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('name="next" value="/settings"');
});
