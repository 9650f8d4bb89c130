import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { type ConnectionWithActivity, getSourceConnections } from "../db/connections";
import { type CardState, cardState } from "../domain/card-state";
import type { CatalogEntry } from "../domain/integration";

/** A connection's id as routes take it (`?connection=` or a form field): one of a source's health systems. */
const ConnectionId = z.string().regex(/^conn_[0-9a-f]{32}$/);

/** The `connection` a request names (query or form), or undefined when it names none or names it badly. */
export function namedConnection(value: unknown): string | undefined {
  const parsed = ConnectionId.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The source's card and, when the request names one of its connections (a health system), that connection;
 * otherwise the card's own. `missing` when a named connection is not this person's at this source.
 */
export async function sourceTarget(
  c: Context<AppEnv>,
  entry: CatalogEntry,
  connectionId: string | undefined,
  now = Date.now(),
): Promise<{ state: CardState; connection: ConnectionWithActivity | null; missing: boolean }> {
  const rows = await getSourceConnections(c.get("db"), c.get("user").id, entry.id, now);
  const state = cardState(entry, rows, c.env, now);
  if (connectionId === undefined) return { state, connection: state.connection, missing: false };
  const connection = rows.find((row) => row.id === connectionId) ?? null;
  return { state, connection, missing: connection === null };
}
