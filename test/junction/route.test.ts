import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { createApp } from "../../src/app";
import { junctionUsers } from "../../src/db/schema";
import { sandboxSleep } from "../../src/providers/junction/sandbox";
import { db, ORIGIN, type Session, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";
import { connectionOf, consume, deliver, envelope } from "./harness";

// Junction as a route for one direct wearable: with JUNCTION_ROUTES=whoop, WHOOP's Connect goes through Junction
// Link, Junction's events for `whoop_v2` land on the WHOOP card, and its records are WHOOP's like any other.

const ROUTED = { JUNCTION_ROUTES: "whoop" } as Partial<Env>;

async function request(path: string, session: Session, overrides: Partial<Env>, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${ORIGIN}${path}`, { ...init, headers: { Cookie: session.cookie, ...init.headers }, redirect: "manual" }),
    { ...env, ...overrides },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

it("routed, WHOOP's Connect goes to Junction Link for whoop_v2; not routed, to WHOOP's own authorization", async () => {
  const session = await signIn();
  const routed = await request("/api/integrations/whoop/start", session, ROUTED);
  expect(routed.status).toBe(302);
  const link = new URL(routed.headers.get("Location")!);
  expect(link.pathname).toBe("/dev/phone/link");
  expect(link.searchParams.get("provider")).toBe("whoop_v2");
  expect(await db().select().from(junctionUsers).where(eq(junctionUsers.userId, session.userId))).toHaveLength(1);

  const direct = await request("/api/integrations/whoop/start", session, {});
  expect(direct.status).toBe(302);
  expect(new URL(direct.headers.get("Location")!).pathname).toBe("/sandbox/whoop/authorize");
});

it("routed, Junction's WHOOP events connect the WHOOP card and store WHOOP records; not routed, they are skipped", async () => {
  const session = await signIn();
  await request("/api/integrations/whoop/start", session, ROUTED);
  const [row] = await db().select().from(junctionUsers).where(eq(junctionUsers.userId, session.userId));
  const person = { userId: session.userId, junctionUserId: row!.junctionUserId };
  const connected = envelope(person, "provider.connection.created", { source: { slug: "whoop_v2" }, user_id: person.junctionUserId });
  const night = envelope(person, "daily.data.sleep.created", sandboxSleep(person.junctionUserId, "whoop_v2", "2026-11-20"));

  // The same events while WHOOP is not routed through Junction change nothing.
  for (const body of [connected, night]) await consume((await deliver(body)).jobs);
  expect(await connectionOf(session.userId, "whoop")).toBeUndefined();

  for (const body of [connected, night]) await consume((await deliver(body)).jobs, { envOverrides: ROUTED });
  expect(await connectionOf(session.userId, "whoop")).toMatchObject({ status: "connected", externalUserId: person.junctionUserId, nextSyncAt: null });
  const records = await storedRecords(session.userId, { source: "whoop" });
  expect(records.map((record) => record.kind)).toEqual(["sleep_session"]);
  // Sync now has nothing to pull by hand for a routed wearable.
  const sync = await request("/api/integrations/whoop/sync", session, ROUTED, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
    body: new URLSearchParams({ _csrf: session.csrfToken }),
  });
  expect(sync.status).toBe(409);
});
