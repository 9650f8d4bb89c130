import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";

// No relational schema: nothing uses drizzle's relational queries, and building their config is per-handle work
// that a per-request session handle would otherwise pay on the settings page's hot path.
export type Database = DrizzleD1Database;

// One Drizzle handle per D1 binding for the isolate's life, so prepared statements built on it are reused.
const handles = new WeakMap<D1Database, Database>();

export function database(d1: D1Database): Database {
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1);
    handles.set(d1, db);
  }
  return db;
}

/** What a D1 binding and a D1 session both offer: all a statement needs. */
export type D1Queryable = Pick<D1Database, "prepare" | "batch">;

/**
 * A Drizzle handle on one D1 session (read replication: src/middleware/d1-session.ts). Not cached: a session lives
 * for one request. drizzle-orm's D1 driver (0.45) types its client as a D1Database but calls only prepare() and
 * batch() on it, which a session has too; sessions are not in its types yet (drizzle-orm pull request 4776).
 */
export function sessionDatabase(session: D1DatabaseSession): Database {
  return drizzle(session as D1Queryable as D1Database);
}
