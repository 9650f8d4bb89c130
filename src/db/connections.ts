import { and, eq, fillPlaceholders, getTableColumns, inArray, isNull, ne, sql } from "drizzle-orm";
import type { SourceId, StoredConnectionStatus } from "../domain/integration";
import { newId } from "../lib/ids";
import { type D1Queryable, type Database, database } from "./client";
import { consents, type IntegrationConnection, integrationConnections } from "./schema";

// The one owner of connection state: no other module writes integration_connections. Connect, disconnect, the
// outcome of a sync, the schedule, the cron's claims, needs_reauth and error all go through the functions here,
// so every rule about a connection's status sits in one place. Every function takes the user's id (or the
// connection's id, which only a job for that user carries) and scopes its statement by it, so one user can
// never read or change another user's connection through this module.

/** A sync that is queued or running counts as in progress for this long at most (a lost job stops showing). */
export const ACTIVE_RUN_WINDOW_MS = 60 * 60_000;

export type ConnectionWithActivity = IntegrationConnection & { activeRunId: string | null };

/**
 * Which of a person's connections: the source, and for a source a person connects more than once (their health
 * systems) which account. A bare source id means the source's only connection (account "").
 */
export type ConnectionKey = SourceId | { sourceId: SourceId; account: string };

export function keyParts(key: ConnectionKey): { sourceId: SourceId; account: string } {
  return typeof key === "string" ? { sourceId: key, account: "" } : key;
}

/** A connection to change: by key, or by its id (jobs carry it). */
export type ConnectionTarget = ConnectionKey | { connectionId: string };

const whereKey = (userId: string, key: ConnectionTarget) => {
  if (typeof key !== "string" && "connectionId" in key) {
    return and(eq(integrationConnections.userId, userId), eq(integrationConnections.id, key.connectionId));
  }
  const { sourceId, account } = keyParts(key);
  return and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, sourceId), eq(integrationConnections.account, account));
};

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

// The settings page's one query, built once per isolate. A person's D1 session lives for one request, so the
// statement's text and its row mapping are kept here and every request runs them on its own session: no query
// building on the hot path.
let preparedList: ReturnType<typeof prepareList> | null = null;

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

/** `d1` is the D1 binding or a person's D1 session (src/middleware/d1-session.ts). */
export async function listConnections(d1: D1Queryable, userId: string, now = Date.now()): Promise<ConnectionWithActivity[]> {
  preparedList ??= prepareList(database(d1 as D1Database));
  const query = preparedList.getQuery();
  const rows = await d1
    .prepare(query.sql)
    .bind(...fillPlaceholders(query.params, { userId, activeSince: now - ACTIVE_RUN_WINDOW_MS }))
    .raw();
  return preparedList.mapAllResult(rows) as ConnectionWithActivity[];
}

export async function getConnection(db: Database, userId: string, key: ConnectionKey, now = Date.now()): Promise<ConnectionWithActivity | undefined> {
  const rows = await db.select(withActivity(now)).from(integrationConnections).where(whereKey(userId, key)).limit(1);
  return rows[0];
}

/** Every connection of the person's at one source (their health systems), oldest first. */
export async function getSourceConnections(db: Database, userId: string, sourceId: SourceId, now = Date.now()): Promise<ConnectionWithActivity[]> {
  return db
    .select(withActivity(now))
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, sourceId)))
    .orderBy(integrationConnections.createdAt, integrationConnections.id);
}

/** A person as a provider names them in its webhooks: the source and the provider's own user id. */
export interface ProviderPerson {
  sourceId: SourceId;
  externalUserId: string;
}

export const providerPersonKey = (person: ProviderPerson) => `${person.sourceId}\u0000${person.externalUserId}`;

/**
 * The statement that finds the connections still receiving data (connected, or showing an error) that a batch of
 * webhook deliveries names; unexecuted, so the webhook consumer sends it in one D1 batch with its ledger claim.
 * Read its result with byProviderPerson.
 */
export function providerPeopleStatement(d1: D1Database, people: readonly ProviderPerson[]): D1PreparedStatement {
  const named = JSON.stringify(people.map((person) => [person.sourceId, person.externalUserId]));
  const query = database(d1)
    .select()
    .from(integrationConnections)
    .where(
      and(
        inArray(integrationConnections.status, ["connected", "error"]),
        sql`(${integrationConnections.sourceId}, ${integrationConnections.externalUserId}) IN (SELECT value ->> 0, value ->> 1 FROM json_each(${named}))`,
      ),
    )
    .toSQL();
  return d1.prepare(query.sql).bind(...query.params);
}

const CONNECTION_COLUMNS = Object.entries(getTableColumns(integrationConnections));

/**
 * providerPeopleStatement's rows (D1's objects, keyed by column name) as connections, by providerPersonKey. One
 * provider id may belong to several people (two accounts signed in to the same WHOOP member), so each key has a list.
 */
export function byProviderPerson(result: D1Result<unknown>): Map<string, IntegrationConnection[]> {
  const found = new Map<string, IntegrationConnection[]>();
  for (const raw of result.results as Record<string, unknown>[]) {
    const row = Object.fromEntries(
      CONNECTION_COLUMNS.map(([key, column]) => [key, raw[column.name] === null ? null : column.mapFromDriverValue(raw[column.name])]),
    ) as IntegrationConnection;
    const key = providerPersonKey({ sourceId: row.sourceId as SourceId, externalUserId: row.externalUserId ?? "" });
    found.set(key, [...(found.get(key) ?? []), row]);
  }
  return found;
}

export interface ConnectedDetails {
  externalUserId?: string | null;
  scopes?: string | null;
  mode: "live" | "sandbox";
  tokenExpiresAt?: number | null;
  nextSyncAt?: number | null;
  /** The account as the person knows it (a health system's name). */
  accountName?: string | null;
}

/**
 * The statement that creates the connection, or revives a disconnected or broken one, as `connected`; unexecuted,
 * so the OAuth callback can batch it with the user's row and the consent record.
 */
export function connectStatement(db: Database, userId: string, key: ConnectionKey, details: ConnectedDetails, now = Date.now()) {
  const { sourceId, account } = keyParts(key);
  const values = {
    ...(details.accountName !== undefined ? { accountName: details.accountName } : {}),
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
    .values({ id: newId("conn"), userId, sourceId, account, ...values })
    .onConflictDoUpdate({ target: [integrationConnections.userId, integrationConnections.sourceId, integrationConnections.account], set: values })
    .returning();
}

export interface StatusOptions {
  /** Change the status only from one of these (e.g. a dead letter turns only a healthy connection to `error`). */
  onlyFrom?: readonly StoredConnectionStatus[];
  /** When the cron should try again; by default only a `connected` connection keeps its schedule. */
  nextSyncAt?: number | null;
  now?: number;
}

/**
 * Sets a stored status (`needs_reauth`, `error`, or back to `connected`); `needs_reauth` and `error` require a
 * reason the user can read. Returns the row when it changed. A disconnected connection is never changed here: a
 * sync that began before the person disconnected finds the keys gone, and must not turn their choice into
 * "Needs reconnecting". Only connecting again (connectStatement) revives it.
 */
export async function updateConnectionStatus(
  db: Database,
  userId: string,
  key: ConnectionTarget,
  status: StoredConnectionStatus,
  reason: string | null = null,
  options: StatusOptions = {},
): Promise<IntegrationConnection | undefined> {
  if ((status === "needs_reauth" || status === "error") && !reason) {
    throw new Error(`status ${status} needs a reason the user can read`);
  }
  const schedule = options.nextSyncAt !== undefined ? { nextSyncAt: options.nextSyncAt } : status === "connected" ? {} : { nextSyncAt: null };
  const [row] = await db
    .update(integrationConnections)
    .set({ status, statusReason: reason, lastError: status === "error" ? reason : null, updatedAt: options.now ?? Date.now(), ...schedule })
    .where(
      and(
        whereKey(userId, key),
        ne(integrationConnections.status, "disconnected"),
        options.onlyFrom ? inArray(integrationConnections.status, [...options.onlyFrom]) : undefined,
      ),
    )
    .returning();
  return row;
}

export interface DisconnectStatementOptions {
  /** Why it stopped, shown to the person (e.g. access removed at the provider); null when they chose it here. */
  reason: string | null;
  now: number;
}

/**
 * The statements that disconnect a connection and record its consent as withdrawn; unexecuted, so the one
 * disconnect flow (src/connections/disconnect.ts) batches them with the deletion of the person's data.
 */
export function disconnectStatements(db: Database, userId: string, key: ConnectionKey, options: DisconnectStatementOptions) {
  const { sourceId, account } = keyParts(key);
  return [
    db
      .update(integrationConnections)
      .set({
        status: "disconnected",
        statusReason: null,
        nextSyncAt: null,
        syncCursor: null,
        updatedAt: options.now,
        ...(options.reason ? { lastError: options.reason } : {}),
      })
      .where(whereKey(userId, key)),
    db
      .update(consents)
      .set({ revokedAt: options.now })
      .where(and(eq(consents.userId, userId), eq(consents.sourceId, sourceId), eq(consents.account, account), isNull(consents.revokedAt))),
  ] as const;
}

/**
 * Which connection a job or a stream is about: by id (jobs carry it) or by person and source; or the several
 * connections a batch of webhook deliveries found (their ids, from providerPeopleStatement), in one statement.
 */
export type ConnectionRef =
  | { connectionId: string; userId: string }
  | { userId: string; sourceId: SourceId; account?: string }
  | { connectionIds: readonly string[] };

const whereRef = (ref: ConnectionRef) =>
  "connectionIds" in ref
    ? sql`${integrationConnections.id} IN (SELECT value FROM json_each(${JSON.stringify(ref.connectionIds)}))`
    : "connectionId" in ref
      ? and(eq(integrationConnections.id, ref.connectionId), eq(integrationConnections.userId, ref.userId))
      : whereKey(ref.userId, { sourceId: ref.sourceId, account: ref.account ?? "" });

export interface SyncSuccess {
  now: number;
  /** The resume point a complete pull moved to (a partial one does not move it). */
  syncCursor?: string;
  /** The next scheduled sync; left as it is when absent (backfill jobs do not move the schedule). */
  nextSyncAt?: number;
}

/**
 * Data arrived (a pull, a push, a live reading): the connection synced. A connection showing `error` is healthy
 * again; one that was disconnected or needs reconnecting meanwhile keeps that status.
 */
export async function recordSyncSuccess(db: Database, ref: ConnectionRef, success: SyncSuccess): Promise<void> {
  await db
    .update(integrationConnections)
    .set({
      lastSyncAt: success.now,
      lastSuccessAt: success.now,
      lastError: null,
      status: sql`CASE WHEN ${integrationConnections.status} = 'error' THEN 'connected' ELSE ${integrationConnections.status} END`,
      statusReason: sql`CASE WHEN ${integrationConnections.status} = 'error' THEN NULL ELSE ${integrationConnections.statusReason} END`,
      ...(success.syncCursor !== undefined ? { syncCursor: success.syncCursor } : {}),
      ...(success.nextSyncAt !== undefined ? { nextSyncAt: success.nextSyncAt } : {}),
      updatedAt: success.now,
    })
    .where(whereRef(ref));
}

/**
 * A sync that ran but did not fully succeed: the reason is shown on the card, the status is unchanged (a single
 * failed run is not yet a broken connection), and the schedule moves on when `nextSyncAt` is given.
 */
export async function recordSyncFailure(db: Database, ref: ConnectionRef, failure: { reason: string; now: number; nextSyncAt?: number }): Promise<void> {
  await db
    .update(integrationConnections)
    .set({
      lastSyncAt: failure.now,
      lastError: failure.reason,
      updatedAt: failure.now,
      ...(failure.nextSyncAt !== undefined ? { nextSyncAt: failure.nextSyncAt } : {}),
    })
    .where(whereRef(ref));
}

/** The vault renewed the person's access: the card shows when the new token expires. */
export async function recordTokenExpiry(db: Database, userId: string, key: ConnectionKey, expiresAt: number | null, now = Date.now()): Promise<void> {
  await db.update(integrationConnections).set({ tokenExpiresAt: expiresAt, updatedAt: now }).where(whereKey(userId, key));
}

/** The person deleted this source's data: a connected source starts over from a fresh backfill, not after it. */
export async function resetSyncCursor(db: Database, userId: string, key: ConnectionKey, now = Date.now()): Promise<void> {
  await db.update(integrationConnections).set({ syncCursor: null, updatedAt: now }).where(whereKey(userId, key));
}

export interface DueConnection {
  id: string;
  userId: string;
  sourceId: string;
  syncCursor: string | null;
}

/**
 * The cron's claim: connections whose `next_sync_at` has passed (partial index on the rows it may sync), each
 * claimed by pushing `next_sync_at` out by `leaseMs` in the same statement, so two overlapping crons never
 * enqueue one twice and a job lost before it runs is retried after the lease.
 */
export async function claimDueConnections(d1: D1Database, options: { now: number; leaseMs: number; limit: number }): Promise<DueConnection[]> {
  const { results } = await d1
    .prepare(
      `UPDATE integration_connections SET next_sync_at = ?2
       WHERE id IN (SELECT id FROM integration_connections
                    WHERE status IN ('connected', 'error') AND next_sync_at IS NOT NULL AND next_sync_at <= ?1
                    ORDER BY next_sync_at LIMIT ?3)
       RETURNING id, user_id AS userId, source_id AS sourceId, sync_cursor AS syncCursor`,
    )
    .bind(options.now, options.now + options.leaseMs, options.limit)
    .all<DueConnection>();
  return results;
}
