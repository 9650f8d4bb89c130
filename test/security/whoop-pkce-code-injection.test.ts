import { and, eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { integrationConnections } from "../../src/db/schema";
import { callbackCookie, db, get, postForm, signIn } from "../helpers";

// Issue 12, item 8: authorization-code injection. Alice has a pending WHOOP authorization (state S, her browser's
// nonce). Mallory approves WHOOP for his own account and gets a code; the callback with Mallory's code and
// Alice's state, in Alice's browser, must not connect Alice to Mallory's WHOOP. With PKCE, the code was issued
// for Mallory's code_challenge, and Alice's code_verifier does not match it. The sandbox checks PKCE as WHOOP does.
async function approve(email: string) {
  const session = await signIn(email);
  const start = await get("/api/integrations/whoop/start", session);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("Location")!);
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  const approved = await postForm(authorize.pathname, session, { ...Object.fromEntries(authorize.searchParams), decision: "allow" });
  expect(approved.status).toBe(302);
  return { session, start, callback: new URL(approved.headers.get("Location")!) };
}

it("Mallory's WHOOP code cannot complete Alice's pending authorization", async () => {
  const alice = await approve(`alice-${crypto.randomUUID()}@example.test`);
  const mallory = await approve(`mallory-${crypto.randomUUID()}@example.test`);
  const injected = `/api/integrations/whoop/callback?code=${encodeURIComponent(mallory.callback.searchParams.get("code")!)}&state=${alice.callback.searchParams.get("state")}`;

  const response = await get(injected, alice.session, { Cookie: callbackCookie(alice.session, alice.start) });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain("did not accept the authorization");
  const rows = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, alice.session.userId), eq(integrationConnections.sourceId, "whoop")));
  expect(rows.filter((row) => row.status === "connected")).toEqual([]);
});
