import { and, eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { integrationConnections } from "../../src/db/schema";
import { callbackCookie, db, get, postForm, signIn } from "../helpers";

// Issue 12, item 8: a pending authorization is bound to the browser that pressed Connect (a nonce cookie, stored
// hashed). The same person's state, completed from another browser (no cookie, or another one), connects nothing.
async function startAndApprove(source: "oura" | "dexcom") {
  const session = await signIn();
  const start = await get(`/api/integrations/${source}/start`, session);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("Location")!);
  const approved = await postForm(authorize.pathname, session, { ...Object.fromEntries(authorize.searchParams), decision: "allow" });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get("Location")!);
  return { session, start, callback: `${callback.pathname}${callback.search}` };
}

async function connected(userId: string, source: string) {
  const rows = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, source), eq(integrationConnections.status, "connected")));
  return rows.length > 0;
}

it("Connect sets an HttpOnly, SameSite=Lax nonce cookie that only the callback receives", async () => {
  const { start } = await startAndApprove("oura");
  const cookie = start.headers.getSetCookie().find((value) => value.startsWith("wos_oauth_oura="));
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  expect(cookie).toMatch(/Path=\/api\/integrations\/oura\/callback/);
});

it.each(["oura", "dexcom"] as const)("%s: the callback from a browser without the nonce connects nothing, and spends the state", async (source) => {
  const { session, start, callback } = await startAndApprove(source);
  const elsewhere = await get(callback, session);
  expect(elsewhere.status).toBe(400);
  expect(await elsewhere.text()).toContain("started in another browser");
  expect(await connected(session.userId, source)).toBe(false);
  // Even the right browser cannot use that state any more.
  const retry = await get(callback, session, { Cookie: callbackCookie(session, start) });
  expect(retry.status).toBe(400);
  expect(await connected(session.userId, source)).toBe(false);
});

it("a forged nonce is refused; the starting browser's own connects", async () => {
  const first = await startAndApprove("oura");
  const forged = await get(first.callback, first.session, { Cookie: `${first.session.cookie}; wos_oauth_oura=forged-nonce` });
  expect(forged.status).toBe(400);

  const second = await startAndApprove("oura");
  const done = await get(second.callback, second.session, { Cookie: callbackCookie(second.session, second.start) });
  expect(done.status).toBe(303);
  expect(await connected(second.session.userId, "oura")).toBe(true);
});
