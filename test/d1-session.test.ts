import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { syncRuns } from "../src/db/schema";
import { BOOKMARK_COOKIE } from "../src/middleware/d1-session";
import type { SyncJob } from "../src/sync/jobs";
import { countingD1, db, ORIGIN, recordingQueue, type Session, seedConnection, signIn } from "./helpers";

/**
 * D1 read replication for a signed-in person: each request reads and writes through a D1 session started from the
 * bookmark cookie, and the response carries the session's newer bookmark back. Real local D1 (whose sessions hand
 * out real storage bookmarks); the binding is wrapped only to note what each session was started from.
 */

const bookmarkOf = (response: Response): string | null => {
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith(`${BOOKMARK_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(BOOKMARK_COOKIE.length + 1).split(";")[0]!) : null;
};

async function send(path: string, session: Session, options: { bookmark?: string; method?: "GET" | "POST"; origin?: string } = {}) {
  const counted = countingD1(env.DB);
  const origin = options.origin ?? ORIGIN;
  const cookie = [session.cookie, ...(options.bookmark === undefined ? [] : [`${BOOKMARK_COOKIE}=${options.bookmark}`])].join("; ");
  const headers: Record<string, string> =
    options.method === "POST"
      ? { Cookie: cookie, Origin: origin, "X-CSRF-Token": session.csrfToken, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" }
      : { Cookie: cookie };
  const syncQueue = recordingQueue<SyncJob>();
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${origin}${path}`, { method: options.method ?? "GET", headers, body: options.method === "POST" ? "" : null }),
    { ...env, DB: counted.binding, SYNC_QUEUE: syncQueue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { response, sessionsFrom: counted.sessionsFrom, statements: counted.statements(), syncJobs: syncQueue.sent };
}

describe("the D1 session bookmark cookie", () => {
  it("moves past a write (Sync now), and the next page starts its session from it and sees the write", async () => {
    const session = await signIn();
    await seedConnection(session.userId, "oura", "connected", { lastSyncAt: Date.now() - 3_600_000 });

    const first = await send("/settings", session);
    expect(first.response.status).toBe(200);
    expect(first.sessionsFrom).toEqual(["first-unconstrained"]);
    const seen = bookmarkOf(first.response);
    expect(seen).toMatch(/^[0-9a-f-]+$/);

    const write = await send("/api/integrations/oura/sync", session, { method: "POST", bookmark: seen! });
    expect(write.response.status).toBe(200);
    expect(write.sessionsFrom).toEqual([seen]);
    expect(write.syncJobs).toHaveLength(1);
    const written = bookmarkOf(write.response);
    // Bookmarks order as strings; the session's bookmark is now past the sync_runs row it inserted.
    expect(written! > seen!).toBe(true);
    expect(await db().select({ status: syncRuns.status }).from(syncRuns).where(eq(syncRuns.id, write.syncJobs[0]!.runId))).toEqual([{ status: "queued" }]);

    const next = await send("/settings", session, { bookmark: written! });
    expect(next.response.status).toBe(200);
    expect(next.sessionsFrom).toEqual([written]);
    expect(next.statements).toBe(1);
    const page = await next.response.text();
    expect(page.slice(page.indexOf('id="card-oura"'))).toContain("Syncing…");
    // A read that saw nothing newer leaves the cookie as it is.
    const after = bookmarkOf(next.response);
    expect(after === null || after >= written!).toBe(true);
  });

  it("ignores a malformed bookmark cookie: the page answers 200 from a fresh session and sets a good bookmark", async () => {
    const session = await signIn();
    for (const bad of ["%3Cscript%3E", "a".repeat(129), "00000085-zz", "first-primary", "0000-", "-0000", "00000085%2000000001", "%22%22"]) {
      const { response, sessionsFrom } = await send("/settings", session, { bookmark: bad });
      expect(response.status, bad).toBe(200);
      expect(sessionsFrom, bad).toEqual(["first-unconstrained"]);
      expect(bookmarkOf(response), bad).toMatch(/^[0-9a-f-]+$/);
    }
  });

  it("is HttpOnly, SameSite=Lax, Path=/, short-lived, and Secure everywhere but localhost", async () => {
    const session = await signIn();
    const local = await send("/settings", session);
    const attributes = (response: Response) =>
      response.headers
        .getSetCookie()
        .find((line) => line.startsWith(`${BOOKMARK_COOKIE}=`))!
        .split("; ")
        .slice(1);
    expect(attributes(local.response).sort()).toEqual(["HttpOnly", "Max-Age=1800", "Path=/", "SameSite=Lax"]);
    const deployed = await send("/settings", session, { origin: "https://integrations.wellness-os.example" });
    expect(attributes(deployed.response).sort()).toEqual(["HttpOnly", "Max-Age=1800", "Path=/", "SameSite=Lax", "Secure"]);
  });

  it("leaves requests without a signed-in person on the binding, with no bookmark cookie", async () => {
    const counted = countingD1(env.DB);
    const ctx = createExecutionContext();
    const response = await createApp().fetch(new Request(`${ORIGIN}/settings`), { ...env, DB: counted.binding }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(303);
    expect(counted.sessionsFrom).toEqual([]);
    expect(bookmarkOf(response)).toBeNull();
  });
});
