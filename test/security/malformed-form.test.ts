import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ORIGIN, signIn } from "../helpers";

// Found by the fuzz pass (test/security/fuzz-routes.test.ts): a multipart body that is not one threw a TypeError
// (a 500) where the CSRF check or a handler first read the form. It is now a clear 400, whoever sends it.
it.each(["/dev/sign-out", "/settings/suggestions", "/dev/sign-in"])("answers a malformed multipart POST to %s with 400", async (path) => {
  const session = await signIn();
  const response = await exports.default.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { Cookie: session.cookie, Origin: ORIGIN, "Content-Type": "multipart/form-data; boundary=x" },
    body: new Uint8Array([1, 2, 3, 4]),
    redirect: "manual",
  });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain("That form could not be read");
});
