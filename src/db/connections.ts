import { and, eq } from "drizzle-orm";
import type { SourceId, StoredConnectionStatus } from "../domain/integration";
import { newId } from "../lib/ids";
import type { Database } from "./client";
import { integrationConnections, type IntegrationConnection } from "./schema";

// Every function takes the user's id and scopes its statement by it, so one user can never read or change
// another user's connection through this module.

export async function listConnections(db: Database, userId: string): Promise<IntegrationConnection[]> {
  return db.select().from(integrationConnections).where(eq(integrationConnections.userId, userId));
}

export async function getConnection(db: Database, userId: string, sourceId: SourceId): Promise<IntegrationConnection | undefined> {
  const rows = await db
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, sourceId)))
    .limit(1);
  return rows[0];
}

export interface ConnectedDetails {
  externalUserId?: string | null;
  scopes?: string | null;
  mode: "live" | "sandbox";
  tokenExpiresAt?: number | null;
  nextSyncAt?: number | null;
}

/** Creates the connection, or revives a disconnected or broken one, as `connected`. */
export async function markConnected(db: Database, userId: string, sourceId: SourceId, details: ConnectedDetails, now = Date.now()): Promise<IntegrationConnection> {
  const values = {
    status: "connected" as const,
    statusReason: null,
    lastError: null,
    externalUserId: details.externalUserId ?? null,
    scopes: details.scopes ?? null,
    mode: details.mode,
    tokenExpiresAt: details.tokenExpiresAt ?? null,
    nextSyncAt: details.nextSyncAt ?? null,
    connectedAt: now,
    updatedAt: now,
  };
  const [row] = await db
    .insert(integrationConnections)
    .values({ id: newId("conn"), userId, sourceId, ...values })
    .onConflictDoUpdate({ target: [integrationConnections.userId, integrationConnections.sourceId], set: values })
    .returning();
  if (!row) throw new Error("connection upsert returned no row");
  return row;
}

/** Sets a stored status. `needs_reauth` and `error` require a reason the user can read. */
export async function updateConnectionStatus(
  db: Database,
  userId: string,
  sourceId: SourceId,
  status: StoredConnectionStatus,
  reason: string | null = null,
  now = Date.now(),
): Promise<IntegrationConnection | undefined> {
  if ((status === "needs_reauth" || status === "error") && !reason) {
    throw new Error(`status ${status} needs a reason the user can read`);
  }
  const [row] = await db
    .update(integrationConnections)
    .set({ status, statusReason: reason, lastError: status === "error" ? reason : null, updatedAt: now, ...(status === "connected" ? {} : { nextSyncAt: null }) })
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, sourceId)))
    .returning();
  return row;
}

export async function deleteConnection(db: Database, userId: string, sourceId: SourceId): Promise<boolean> {
  const rows = await db
    .delete(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, sourceId)))
    .returning({ id: integrationConnections.id });
  return rows.length > 0;
}
