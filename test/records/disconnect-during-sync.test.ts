import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { disconnectStatements } from "../../src/db/connections";
import { integrationConnections } from "../../src/db/schema";
import type { SyncJob } from "../../src/sync/jobs";
import { runSyncJob, type TokenVaultClient } from "../../src/sync/run";
import { db, seedConnection, signIn } from "../helpers";

const DAY = 86_400_000;

it("a sync that finds the keys gone because the person disconnected meanwhile leaves them disconnected, not needing a reconnect", async () => {
  const session = await signIn();
  await seedConnection(session.userId, "oura", "connected", { mode: "sandbox", externalUserId: "sbx-left" });
  const [connection] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "oura")));
  // The job read the connection as connected; the person disconnects before it asks the vault for a token, so the
  // vault no longer holds one.
  const vaultAfterDisconnect: TokenVaultClient = {
    getAccessToken: async () => {
      await db().batch([...disconnectStatements(db(), session.userId, "oura", { reason: null, now: Date.now() })]);
      return { ok: false, reason: "not_connected" };
    },
  };
  const now = Date.now();
  const job: SyncJob = {
    type: "sync",
    connectionId: connection!.id,
    userId: session.userId,
    source: "oura",
    trigger: "cron",
    window: { start: now - 2 * DAY, end: now },
    runId: `run_${crypto.randomUUID()}`,
  };

  const outcome = await runSyncJob(env, job, { hub: () => vaultAfterDisconnect, now });

  expect(outcome.kind).toBe("failed");
  const [after] = await db().select().from(integrationConnections).where(eq(integrationConnections.id, connection!.id));
  expect(after).toMatchObject({ status: "disconnected", statusReason: null, nextSyncAt: null });
});
