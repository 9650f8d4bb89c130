// Reads the running `wrangler dev`'s persisted state straight from its SQLite files, read-only: the local D1
// database (one file) and each Durable Object's database (one file per UserHub). Reading the files is what lets a
// run of a thousand people be measured without a round trip through the Worker per person; it changes nothing.
// A UserHub's `ctx.storage.sql.databaseSize` is its SQLite page count × page size, which is what is read here.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const BUSY_TIMEOUT_MS = 10_000;

function sqliteFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".sqlite"))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** The local D1 database's file (miniflare keeps one per database under v3/d1/). */
export function d1File(statePath: string): string {
  const files = sqliteFiles(join(statePath, "v3", "d1", "miniflare-D1DatabaseObject")).filter((file) => !file.includes("metadata"));
  const withUsers = files.filter((file) =>
    withDb(file, (db) => db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'integration_connections'").get() !== undefined),
  );
  if (withUsers.length !== 1) throw new Error(`expected one local D1 database with our schema under ${statePath}, found ${withUsers.length}`);
  return withUsers[0]!;
}

/** Every UserHub's database file. */
export function userHubFiles(statePath: string): string[] {
  const root = join(statePath, "v3", "do");
  let dirs: string[] = [];
  try {
    dirs = readdirSync(root).filter((name) => name.endsWith("-UserHub"));
  } catch {
    return [];
  }
  return dirs.flatMap((dir) => sqliteFiles(join(root, dir)));
}

export function withDb<T>(file: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(file, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export function query<Row>(file: string, sql: string, ...params: (string | number)[]): Row[] {
  return withDb(file, (db) => db.prepare(sql).all(...params) as Row[]);
}

export interface TableSize {
  table: string;
  rows: number;
  /** Pages of the table and of its indexes (sqlite's dbstat), in bytes. */
  bytes: number;
  indexBytes: number;
}

/** Every table of a database with its row count and bytes (table and its indexes), largest first. */
export function tableSizes(file: string): TableSize[] {
  return withDb(file, (db) => {
    const objects = db.prepare("SELECT name, type, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").all() as {
      name: string;
      type: string;
      tbl_name: string;
    }[];
    const pages = new Map(
      (db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").all() as { name: string; bytes: number }[]).map((r) => [r.name, r.bytes]),
    );
    const tables = objects.filter((o) => o.type === "table" && !o.name.startsWith("sqlite_") && !o.name.startsWith("_cf_") && o.name !== "d1_migrations");
    return tables
      .map((t) => {
        const indexBytes = objects.filter((o) => o.type === "index" && o.tbl_name === t.name).reduce((sum, o) => sum + (pages.get(o.name) ?? 0), 0);
        const rows = (db.prepare(`SELECT count(*) AS n FROM "${t.name.replaceAll('"', '""')}"`).get() as { n: number }).n;
        return { table: t.name, rows, bytes: (pages.get(t.name) ?? 0) + indexBytes, indexBytes };
      })
      .sort((a, b) => b.bytes - a.bytes);
  });
}

/** A database's size as SQLite counts it (page count × page size): what `databaseSize` reports inside a DO. */
export function databaseSize(file: string): number {
  return withDb(file, (db) => {
    const { page_count } = db.prepare("PRAGMA page_count").get() as { page_count: number };
    const { page_size } = db.prepare("PRAGMA page_size").get() as { page_size: number };
    return page_count * page_size;
  });
}
