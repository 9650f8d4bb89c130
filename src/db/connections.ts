import { and, eq, getTableColumns, sql } from "drizzle-orm";
import type { SourceId, StoredConnectionStatus } from "../domain/integration";
import { newId } from "../lib/ids";
import type { Database } from "./client";
import { integrationConnections, type IntegrationConnection } from "./schema";

// Every function takes the user's id and scopes its statement by it, so one user can never read or change
// another user's connection through this module.

/** A sync that is queued or running counts as in progress for this long at most (a lost job stops showing). */
export const ACTIVE_RUN_WINDOW_MS = 60 * 60_000;

export type ConnectionWithActivity = IntegrationConnection & { activeRunId: string | null };

/**
 * The person's connections, each with its in-progress sync run if any: one statement (the settings page's only
 * D1 query), the run found through the (connection_id, started_at) index.
 */
const withActivity = (now: number) => ({
  ...getTableColumns(integrationConnections),
  // Qualified by hand: inside the subquery an unqualified "id" would name sync_runs.id.
  activeRunId: sql<string | null>`(SELECT r.id FROM sync_runs r WHERE r.connection_id = "integration_connections"."id"
    AND r.status IN ('queued', 'running') AND r.started_at > ${now - ACTIVE_RUN_WINDOW_MS} ORDER BY r.started_at DESC LIMIT 1)`,
});

// The settings page's one query, built once per database handle: only its parameters change per request.
const preparedLists = new WeakMap<Database, ReturnType<typeof prepareList>>();

function prepareList(db: Database) {
  return db
    .select({
      ...getTableColumns(integrationConnections),
      activeRunId: sql<string | null>`(SELECT r.id FROM sync_runs r WHERE r.connection_id = "integration_connections"."id"
        AND r.status IN ('queued', 'running') AND r.started_at > ${sql.placeholder("activeSince")} ORDER BY r.started_at DESC LIMIT 1)`,
    })
    .from(integrationConnections)
    .where(eq(integrationConnections.userId, sql.placeholder("userId")))
    .prepare();
}

export async function listConnections(db: Database, userId: string, now = Date.now()): Promise<ConnectionWithActivity[]> {
  let prepared = preparedLists.get(db);
  if (!prepared) {
    prepared = prepareList(db);
    preparedLists.set(db, prepared);
  }
  return prepared.all({ userId, activeSince: now - ACTIVE_RUN_WINDOW_MS });
}

export async function getConnection(db: Database, userId: string, sourceId: SourceId, now = Date.now()): Promise<ConnectionWithActivity | undefined> {
  const rows = await db
    .select(withActivity(now))
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

/**
 * The statement that creates the connection, or revives a disconnected or broken one, as `connected`; unexecuted,
 * so the OAuth callback can batch it with the user's row and the consent record.
 */
export function connectStatement(db: Database, userId: string, sourceId: SourceId, details: ConnectedDetails, now = Date.now()) {
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
  return db
    .insert(integrationConnections)
    .values({ id: newId("conn"), userId, sourceId, ...values })
    .onConflictDoUpdate({ target: [integrationConnections.userId, integrationConnections.sourceId], set: values })
    .returning();
}

export async function markConnected(db: Database, userId: string, sourceId: SourceId, details: ConnectedDetails, now = Date.now()): Promise<IntegrationConnection> {
  const [row] = await connectStatement(db, userId, sourceId, details, now);
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
