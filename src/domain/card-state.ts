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

export function cardState(entry: CatalogEntry, connection: ConnectionWithActivity | null, env: ModeConfig, now = Date.now()): CardState {
  const mode = sourceMode(entry, env);
  const offered: IntegrationStatus = mode === "unavailable" ? "coming_soon" : "available";
  if (!connection) return { entry, mode, status: offered, reason: null, connection, activity: null };
  if (connection.status === "disconnected") {
    return { entry, mode, status: mode === "unavailable" ? "coming_soon" : "disconnected", reason: null, connection, activity: null };
  }
  const activity = connection.status === "needs_reauth" ? null : activityOf(entry, connection, now);
  return { entry, mode, status: connection.status, reason: connection.statusReason, connection, activity };
}

export function cardStates(connections: readonly ConnectionWithActivity[], env: ModeConfig, now = Date.now()): CardState[] {
  const bySource = new Map(connections.map((row) => [row.sourceId, row]));
  return CATALOG.map((entry) => cardState(entry, bySource.get(entry.id) ?? null, env, now));
}

export function connectedCount(states: readonly CardState[]): number {
  return states.filter((state) => state.status === "connected").length;
}
