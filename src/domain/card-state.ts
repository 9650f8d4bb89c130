import type { ConnectionWithActivity } from "../db/connections";
import { provider } from "../providers/registry";
import { type ModeConfig, type SourceMode, sourceMode } from "./availability";
import { CATALOG } from "./catalog";
import type { CatalogEntry, IntegrationStatus } from "./integration";

/** Everything one settings card shows, derived from the catalog, configuration and the user's stored connection. */
export interface CardState {
  entry: CatalogEntry;
  mode: SourceMode;
  status: IntegrationStatus;
  reason: string | null;
  connection: ConnectionWithActivity | null;
  /**
   * A source a person connects more than once (their health systems, `connectMethod` smart-on-fhir): every one of
   * its connections that is not disconnected, oldest first; the card lists them. Empty for other sources.
   */
  systems: ConnectionWithActivity[];
  /**
   * What a healthy connection is doing: `syncing` while a run is queued or running; `stale` when no sync has
   * succeeded for twice the source's cadence (the data on screen may be old, whatever the status says).
   */
  activity: "syncing" | "stale" | null;
}

function activityOf(entry: CatalogEntry, connection: ConnectionWithActivity, now: number): CardState["activity"] {
  if (connection.activeRunId) return "syncing";
  const spec = provider(entry.id).sync;
  if (!spec) return null;
  const since = connection.lastSuccessAt ?? connection.connectedAt;
  return since !== null && now - since > 2 * spec.cadenceMinutes * 60_000 ? "stale" : null;
}

/** Whether a person may connect this source more than once: a SMART connection is to one health system. */
export const connectsPerSystem = (entry: Pick<CatalogEntry, "connectMethod">) => entry.connectMethod === "smart-on-fhir";

/** The card speaks for the connection that most needs the person: one to reconnect, then one failing, then any. */
const ATTENTION: Record<string, number> = { needs_reauth: 0, error: 1, connected: 2, disconnected: 3 };

function primary(connections: readonly ConnectionWithActivity[]): ConnectionWithActivity | null {
  return [...connections].sort((a, b) => (ATTENTION[a.status] ?? 4) - (ATTENTION[b.status] ?? 4) || (b.updatedAt ?? 0) - (a.updatedAt ?? 0))[0] ?? null;
}

/** A source's card from the person's connections to it (none, one, or one per health system). */
export function cardState(entry: CatalogEntry, connections: readonly ConnectionWithActivity[], env: ModeConfig, now = Date.now()): CardState {
  const mode = sourceMode(entry, env);
  const offered: IntegrationStatus = mode === "unavailable" ? "coming_soon" : "available";
  const connection = primary(connections);
  const systems = connectsPerSystem(entry) ? connections.filter((row) => row.status !== "disconnected") : [];
  if (!connection) return { entry, mode, status: offered, reason: null, connection, systems, activity: null };
  if (connection.status === "disconnected") {
    return { entry, mode, status: mode === "unavailable" ? "coming_soon" : "disconnected", reason: null, connection, systems, activity: null };
  }
  // A card of several systems is syncing while any of them is.
  const activity = systems.some((row) => row.activeRunId) ? "syncing" : connection.status === "needs_reauth" ? null : activityOf(entry, connection, now);
  return { entry, mode, status: connection.status, reason: connection.statusReason, connection, systems, activity };
}

export function cardStates(connections: readonly ConnectionWithActivity[], env: ModeConfig, now = Date.now()): CardState[] {
  const bySource = new Map<string, ConnectionWithActivity[]>();
  for (const row of connections) bySource.set(row.sourceId, [...(bySource.get(row.sourceId) ?? []), row]);
  return CATALOG.map((entry) => cardState(entry, bySource.get(entry.id) ?? [], env, now));
}

export function connectedCount(states: readonly CardState[]): number {
  return states.filter((state) => state.status === "connected").length;
}
