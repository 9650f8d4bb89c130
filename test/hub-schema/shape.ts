import { is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as hub from "../../durable-objects/hub-schema";
import * as records from "../../durable-objects/records/schema";
import * as vault from "../../durable-objects/token-vault-schema";
import * as dexcom from "../../src/providers/dexcom/live-schema";

/** Every table the UserHub's schema declares (the files drizzle.user-hub.config.ts lists). */
export const DECLARED_TABLES: SQLiteTable[] = [hub, records, vault, dexcom].flatMap((module) =>
  Object.values(module).filter((value): value is SQLiteTable => is(value, SQLiteTable)),
);

interface ColumnShape {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

interface IndexShape {
  name: string;
  unique: number;
  origin: string;
  columns: string[];
}

export interface TableShape {
  columns: ColumnShape[];
  indexes: IndexShape[];
}

/**
 * The object's tables as SQLite sees them (columns in order with type, NOT NULL, default and key; indexes with
 * their columns), leaving out the runtime's own (`_cf_…`).
 * Type names are lowered: SQLite reads them case-insensitively, and the old hand-written DDL spelled them in capitals.
 */
export function schemaShape(sql: SqlStorage): Record<string, TableShape> {
  const tables = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name")
    .toArray()
    .map((row) => row.name);
  return Object.fromEntries(
    tables.map((table) => [
      table,
      {
        columns: sql
          .exec<Record<string, SqlStorageValue>>('SELECT name, lower(type) AS type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid', table)
          .toArray() as unknown as ColumnShape[],
        indexes: sql
          .exec<{ name: string; unique: number; origin: string }>('SELECT name, "unique", origin FROM pragma_index_list(?) ORDER BY name', table)
          .toArray()
          .map((index) => ({
            ...index,
            columns: sql
              .exec<{ name: string }>("SELECT name FROM pragma_index_info(?) ORDER BY seqno", index.name)
              .toArray()
              .map((column) => column.name),
          })),
      },
    ]),
  );
}
