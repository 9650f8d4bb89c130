import type { IntegrationConnection } from "../db/schema";
import { sourceMode, type ModeConfig, type SourceMode } from "./availability";
import { CATALOG } from "./catalog";
import type { CatalogEntry, IntegrationStatus } from "./integration";

/** Everything one settings card shows, derived from the catalog, configuration and the user's stored connection. */
export interface CardState {
  entry: CatalogEntry;
  mode: SourceMode;
  status: IntegrationStatus;
  reason: string | null;
  connection: IntegrationConnection | null;
}

export function cardState(entry: CatalogEntry, connection: IntegrationConnection | null, env: ModeConfig): CardState {
  const mode = sourceMode(entry, env);
  const offered: IntegrationStatus = mode === "unavailable" ? "coming_soon" : "available";
  if (!connection) return { entry, mode, status: offered, reason: null, connection };
  if (connection.status === "disconnected") {
    return { entry, mode, status: mode === "unavailable" ? "coming_soon" : "disconnected", reason: null, connection };
  }
  return { entry, mode, status: connection.status, reason: connection.statusReason, connection };
}

export function cardStates(connections: readonly IntegrationConnection[], env: ModeConfig): CardState[] {
  const bySource = new Map(connections.map((row) => [row.sourceId, row]));
  return CATALOG.map((entry) => cardState(entry, bySource.get(entry.id) ?? null, env));
}

export function connectedCount(states: readonly CardState[]): number {
  return states.filter((state) => state.status === "connected").length;
}
