import { exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { junctionHandoffs, junctionUsers } from "../../src/db/schema";
import { sandboxJunctionUserId } from "../../src/providers/junction/sandbox";
import { db, get, ORIGIN, postForm, type Session, signIn } from "../helpers";

// The phone handoff against the development Junction (no JUNCTION_API_KEY: the in-process sandbox answers).

async function showCode(session: Session, source = "apple-health") {
  const response = await postForm(`/api/integrations/${source}/handoff`, session, {}, { headers: { "HX-Request": "true" } });
  expect(response.status).toBe(200);
  const html = await response.text();
  const link = /<a href="([^"]+)">open this link<\/a>/.exec(html)?.[1]?.replaceAll("&amp;", "&");
  expect(link).toBeTruthy();
  return { html, code: new URL(link!).searchParams.get("code")! };
}

const exchange = (session: Session, code: unknown, contentType = "application/json") =>
  exports.default.fetch(`${ORIGIN}/api/mobile/junction/handoff`, {
    method: "POST",
    headers: { Cookie: session.cookie, "Content-Type": contentType },
    body: JSON.stringify({ code }),
  });

it("the Apple Health card's Connect opens the phone handoff, and its code shows as an SVG QR code and a link", async () => {
  const session = await signIn();
  const modal = await get("/settings/connect/apple-health", session, { "HX-Request": "true" });
  expect(await modal.text()).toContain("Connect Apple Health on your phone");
  const { html, code } = await showCode(session);
  expect(html).toMatch(/<svg[^>]*>.*<path/s);
  expect(code.length).toBeGreaterThanOrEqual(40);
  // Only the code's hash is kept.
  const rows = await db().select().from(junctionHandoffs).where(eq(junctionHandoffs.userId, session.userId));
  expect(rows).toHaveLength(1);
  expect(JSON.stringify(rows)).not.toContain(code);
});

it("the mobile app trades the code once for a Junction sign-in token; the person's Junction user is made on first need", async () => {
  const session = await signIn();
  const { code } = await showCode(session, "health-connect");
  const first = await exchange(session, code);
  expect(first.status).toBe(200);
  expect(first.headers.get("Cache-Control")).toBe("no-store");
  expect(await first.json()).toMatchObject({ sign_in_token: expect.stringMatching(/^sandbox-sign-in-/), source: "health-connect", provider: "health_connect" });
  expect(await db().select().from(junctionUsers).where(eq(junctionUsers.userId, session.userId))).toEqual([
    expect.objectContaining({ junctionUserId: sandboxJunctionUserId(session.userId), mode: "sandbox" }),
  ]);
  const again = await exchange(session, code);
  expect(again.status).toBe(410);
});

it("an expired code is refused with 401", async () => {
  const session = await signIn();
  const { code } = await showCode(session);
  await db()
    .update(junctionHandoffs)
    .set({ expiresAt: Date.now() - 1 })
    .where(eq(junctionHandoffs.userId, session.userId));
  expect((await exchange(session, code)).status).toBe(401);
  expect((await exchange(session, code)).status).toBe(401);
});

it("another person's code is refused with 403 and stays good for its owner", async () => {
  const owner = await signIn();
  const other = await signIn();
  const { code } = await showCode(owner);
  expect((await exchange(other, code)).status).toBe(403);
  expect((await exchange(owner, code)).status).toBe(200);
});

it("an unknown code gets 401, a body that is not JSON 415, and nothing without a session", async () => {
  const session = await signIn();
  expect((await exchange(session, "x".repeat(43))).status).toBe(401);
  expect((await exchange(session, "x".repeat(43), "application/x-www-form-urlencoded")).status).toBe(415);
  const anonymous = await exports.default.fetch(`${ORIGIN}/api/mobile/junction/handoff`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code: "x".repeat(43) }),
    redirect: "manual",
  });
  expect([302, 303, 401]).toContain(anonymous.status);
});
