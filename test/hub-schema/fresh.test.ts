import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { expect, it } from "vitest";
import bundled from "../../durable-objects/records/migrations/migrations.js";
import { userHubFor } from "../../durable-objects/user-hub";
import { DECLARED_TABLES, schemaShape } from "./shape";

it("a new UserHub gets every table of its schema from the migrations, columns and indexes as declared", async () => {
  const stub = userHubFor(env, `usr_fresh_${crypto.randomUUID().slice(0, 8)}`);
  const shape = await runInDurableObject(stub, (_instance, state) => {
    expect(state.storage.sql.exec("SELECT * FROM __drizzle_migrations").toArray()).toHaveLength(bundled.journal.entries.length);
    return schemaShape(state.storage.sql);
  });
  const declared = DECLARED_TABLES.map((table) => getTableConfig(table));
  // The hub's, the day store's and the Dexcom stream's tables are among them (no constructor creates them any more).
  expect(declared.map((table) => table.name)).toEqual(
    expect.arrayContaining(["meta", "pending_authorizations", "live_schedule", "day_live", "dexcom_stream", "glucose_recent", "records"]),
  );
  expect(Object.keys(shape).sort()).toEqual(["__drizzle_migrations", ...declared.map((table) => table.name)].sort());
  for (const table of declared) {
    // By name: a column a later migration added (ALTER TABLE) comes last in SQLite whatever its place in the schema.
    const columns = Object.fromEntries(shape[table.name]!.columns.map((column) => [column.name, column]));
    expect(Object.keys(columns).sort()).toEqual(table.columns.map((column) => column.name).sort());
    for (const column of table.columns) {
      expect({ table: table.name, column: column.name, notNull: columns[column.name]!.notnull === 1, type: columns[column.name]!.type }).toEqual({
        table: table.name,
        column: column.name,
        notNull: column.notNull,
        type: column.getSQLType(),
      });
    }
    for (const index of table.indexes) {
      expect(shape[table.name]!.indexes.map((existing) => existing.name)).toContain(index.config.name);
    }
  }
  expect(shape.glucose_recent!.indexes.find((index) => index.name === "glucose_recent_time")!.columns).toEqual(["system_time"]);
  expect(shape.pending_authorizations!.columns.find((column) => column.pk === 1)!.name).toBe("state");
});
