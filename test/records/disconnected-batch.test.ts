import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { expect, it, vi } from "vitest";
import { disconnectStatements } from "../../src/db/connections";
import { integrationConnections } from "../../src/db/schema";
import { issueSandboxAccessToken } from "../../src/sandbox/grants";
import type { SyncJob } from "../../src/sync/jobs";
import { runSyncJob, type TokenVaultClient } from "../../src/sync/run";
import { db, seedConnection, signIn } from "../helpers";
import { storedCount } from "./inspect";

const DAY = 86_400_000;

/** A person with a connected Oura ring, and a cron sync job for its last two days. */
async function ouraSync(mode: "live" | "sandbox", externalUserId: string, now: number) {
  const session = await signIn();
  await seedConnection(session.userId, "oura", "connected", { mode, externalUserId });
  const [connection] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "oura")));
  const job: SyncJob = {
    type: "sync",
    connectionId: connection!.id,
    userId: session.userId,
    source: "oura",
    trigger: "cron",
    window: { start: now - 2 * DAY, end: now },
    runId: `run_${crypto.randomUUID()}`,
  };
  return { session, connection: connection!, job };
}

it("a batch for a person who disconnected while their sync ran is dropped and logged, not stored", async () => {
  const now = Date.now();
  const { session, connection, job } = await ouraSync("live", "sbx-gone", now);
  // The job holds an access token it was handed before the person disconnected: the vault no longer has Oura's tokens.
  const token = await issueSandboxAccessToken(env, "oura", "sbx-gone");
  const staleHub: TokenVaultClient = { getAccessToken: async () => ({ ok: true, accessToken: token, expiresAt: null, context: {}, mode: "sandbox" }) };
  const warned = vi.spyOn(console, "warn");

  const outcome = await runSyncJob(env, job, { hub: () => staleHub, now });

  // The job stops there and says why, leaving the connection's state to whoever disconnected it.
  expect(outcome).toEqual({ kind: "ignored", reason: "Oura Ring was disconnected while this sync ran; nothing more was stored." });
  const [after] = await db().select().from(integrationConnections).where(eq(integrationConnections.id, connection.id));
  expect(after).toMatchObject({ lastSuccessAt: null, syncCursor: connection.syncCursor });
  expect(await storedCount(session.userId)).toBe(0);
  const line = warned.mock.calls.map((call) => String(call[0])).find((text) => text.includes("records_dropped_not_connected"));
  expect(JSON.parse(line!)).toMatchObject({ event: "records_dropped_not_connected", source: "oura", count: expect.any(Number) });
  expect(JSON.parse(line!).count).toBeGreaterThan(0);
  expect(line).not.toContain(token);
  warned.mockRestore();
});

it("a sync that finds the keys gone because the person disconnected meanwhile leaves them disconnected, not needing a reconnect", async () => {
  const now = Date.now();
  const { session, connection, job } = await ouraSync("sandbox", "sbx-left", now);
  // The job read the connection as connected; the person disconnects before it asks the vault for a token, so the
  // vault no longer holds one.
  const vaultAfterDisconnect: TokenVaultClient = {
    getAccessToken: async () => {
      await db().batch([...disconnectStatements(db(), session.userId, "oura", { reason: null, now: Date.now() })]);
      return { ok: false, reason: "not_connected" };
    },
  };

  const outcome = await runSyncJob(env, job, { hub: () => vaultAfterDisconnect, now });

  expect(outcome.kind).toBe("failed");
  const [after] = await db().select().from(integrationConnections).where(eq(integrationConnections.id, connection.id));
  expect(after).toMatchObject({ status: "disconnected", statusReason: null, nextSyncAt: null });
});
