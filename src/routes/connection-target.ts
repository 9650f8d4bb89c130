import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { type ConnectionWithActivity, getSourceConnections } from "../db/connections";
import { type CardState, cardState } from "../domain/card-state";
import type { CatalogEntry } from "../domain/integration";

/** A connection's id as routes take it (`?connection=` or a form field): one of a source's health systems. */
const ConnectionId = z.string().regex(/^conn_[0-9a-f]{32}$/);

/**
 * The `connection` a request names (query or form): its id; undefined when it names none (the card's own
 * connection is meant); null when it names something that is not a connection id, which must match nothing
 * rather than fall back to another connection (a Disconnect or a deletion must never land on the wrong system).
 */
export function namedConnection(value: unknown): string | null | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = ConnectionId.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * The source's card and, when the request names one of its connections (a health system), that connection;
 * otherwise the card's own. `missing` when a named connection is not this person's at this source.
 */
export async function sourceTarget(
  c: Context<AppEnv>,
  entry: CatalogEntry,
  connectionId: string | null | undefined,
  now = Date.now(),
): Promise<{ state: CardState; connection: ConnectionWithActivity | null; missing: boolean }> {
  const rows = await getSourceConnections(c.get("db"), c.get("user").id, entry.id, now);
  const state = cardState(entry, rows, c.env, now);
  if (connectionId === undefined) return { state, connection: state.connection, missing: false };
  const connection = connectionId === null ? null : (rows.find((row) => row.id === connectionId) ?? null);
  return { state, connection, missing: connection === null };
}
