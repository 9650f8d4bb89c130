import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ORIGIN, type Session, signIn } from "../helpers";

// Issue 12, item 7: the Origin / Sec-Fetch-Site check ran only for form content types, so a JSON POST with
// `Origin: http://evil.example` and a valid token passed. Every unsafe method is now checked, whatever the type.
function deleteData(session: Session, headers: Record<string, string>, method = "POST") {
  return exports.default.fetch(`${ORIGIN}/api/integrations/oura/data/delete`, {
    method,
    headers: { Cookie: session.cookie, "X-CSRF-Token": session.csrfToken, "Content-Type": "application/json", ...headers },
    body: "{}",
    redirect: "manual",
  });
}

it.each([
  ["another site's Origin", { Origin: "http://evil.example" }],
  ["a cross-site Sec-Fetch-Site", { "Sec-Fetch-Site": "cross-site" }],
  ["a same-site (sibling subdomain) Sec-Fetch-Site", { "Sec-Fetch-Site": "same-site" }],
  ["our Origin but a cross-site Sec-Fetch-Site", { Origin: ORIGIN, "Sec-Fetch-Site": "cross-site" }],
  ["no provenance header at all", {}],
])("refuses a JSON POST with a valid token and %s", async (_, headers) => {
  const session = await signIn();
  const response = await deleteData(session, headers);
  expect(response.status).toBe(403);
  expect(await response.text()).toContain("did not come from a Wellness OS page");
});

it("accepts the same JSON POST from this site", async () => {
  const session = await signIn();
  const response = await deleteData(session, { Origin: ORIGIN, "Sec-Fetch-Site": "same-origin" });
  expect(response.status).toBe(303);
});

it("webhooks stay outside the check on purpose: server to server, authenticated by signature", async () => {
  const response = await exports.default.fetch(`${ORIGIN}/webhooks/oura`, {
    method: "POST",
    headers: { Origin: "http://evil.example", "Content-Type": "application/json" },
    body: "{}",
  });
  // Refused for its missing signature, not for its Origin.
  expect(response.status).toBe(401);
});
