import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

// The passwordless development sign-in answers only on a loopback host (issue 12, item 5): a development Worker
// reached under any other name has no sign-in.
it.each(["http://localhost:8787", "http://127.0.0.1:8811", "http://[::1]:8787", "http://app.localhost:8787"])("answers on %s", async (origin) => {
  const response = await exports.default.fetch(`${origin}/dev/sign-in`);
  expect(response.status).toBe(200);
});

it.each(["https://integrations.wellness-os.example", "http://192.168.1.20:8787", "http://localhost.evil.example"])("refuses %s", async (origin) => {
  const page = await exports.default.fetch(`${origin}/dev/sign-in`);
  expect(page.status).toBe(404);
  const post = await exports.default.fetch(`${origin}/dev/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body: new URLSearchParams({ email: "someone@example.test" }),
    redirect: "manual",
  });
  expect(post.status).toBe(404);
  expect(post.headers.get("Set-Cookie")).toBeNull();
});
