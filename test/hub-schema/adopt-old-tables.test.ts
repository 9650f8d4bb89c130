import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { migrateRecordStore } from "../../durable-objects/records/migrate";
import bundled from "../../durable-objects/records/migrations/migrations.js";
import { userHubFor } from "../../durable-objects/user-hub";
import { schemaShape } from "./shape";

// The DDL the constructors ran by hand before these tables moved into the schema (git show e02911f:
// durable-objects/user-hub.ts, src/providers/dexcom/live-stream.ts, durable-objects/records/days.ts), verbatim.
const OLD_DDL = [
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
  `CREATE TABLE IF NOT EXISTS pending_authorizations (
      state TEXT PRIMARY KEY,
      source TEXT NOT NULL,
      code_verifier TEXT,
      mode TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    )`,
  "CREATE TABLE IF NOT EXISTS live_schedule (source TEXT PRIMARY KEY, due INTEGER NOT NULL)",
  `CREATE TABLE IF NOT EXISTS glucose_recent (
      record_id TEXT PRIMARY KEY,
      system_time INTEGER NOT NULL,
      mgdl INTEGER NOT NULL,
      trend TEXT NOT NULL,
      status TEXT
    )`,
  "CREATE INDEX IF NOT EXISTS glucose_recent_time ON glucose_recent (system_time)",
  "CREATE TABLE IF NOT EXISTS dexcom_stream (key TEXT PRIMARY KEY, value TEXT)",
  "CREATE TABLE IF NOT EXISTS day_live (date TEXT PRIMARY KEY, recomputed_at INTEGER, dirty INTEGER NOT NULL)",
];
// Added by the constructor, once, to an object created before the browser binding.
const OLD_BROWSER_BINDING = "ALTER TABLE pending_authorizations ADD COLUMN browser_binding TEXT";

/** The migrations an object had run before this change: the record store's and the daily picture's. */
const before = {
  journal: { ...bundled.journal, entries: bundled.journal.entries.filter((entry) => entry.tag < "0002") },
  migrations: Object.fromEntries(Object.entries(bundled.migrations).filter(([key]) => key < "m0002")),
};

describe.each([
  { name: "with", browserBinding: true },
  { name: "without", browserBinding: false },
])("an object whose tables were created by hand ($name browser_binding)", ({ browserBinding }) => {
  it("keeps every row through the migration and ends with a new object's schema", async () => {
    const userId = `usr_adopt_${crypto.randomUUID().slice(0, 8)}`;
    const fresh = await runInDurableObject(userHubFor(env, `usr_adopt_fresh_${crypto.randomUUID().slice(0, 8)}`), (_instance, state) =>
      schemaShape(state.storage.sql),
    );
    const expiresAt = Date.now() + 5 * 60_000;
    await runInDurableObject(userHubFor(env, userId), async (instance, state) => {
      const sql = state.storage.sql;
      // Back to the storage of an object that started before this change: 0000 and 0001 applied, the rest by hand.
      for (const { name } of sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'tokens'")
        .toArray()) {
        sql.exec(`DROP TABLE "${name}"`);
      }
      expect(await migrateRecordStore(state.storage, before)).toEqual({ ok: true, applied: ["0000_records", "0001_daily_picture"] });
      for (const statement of OLD_DDL) sql.exec(statement);
      if (browserBinding) sql.exec(OLD_BROWSER_BINDING);
      sql.exec("INSERT INTO meta (key, value) VALUES ('owner', ?), ('days_deadline', '1800000000000')", userId);
      if (browserBinding) {
        sql.exec(
          "INSERT INTO pending_authorizations (state, source, code_verifier, mode, expires_at, browser_binding) VALUES ('st-1', 'whoop', 'verifier-1', 'sandbox', ?, 'binding-1')",
          expiresAt,
        );
      } else {
        sql.exec(
          "INSERT INTO pending_authorizations (state, source, code_verifier, mode, expires_at) VALUES ('st-1', 'whoop', 'verifier-1', 'sandbox', ?)",
          expiresAt,
        );
      }
      sql.exec("INSERT INTO live_schedule (source, due) VALUES ('dexcom', 1800000000000)");
      sql.exec("INSERT INTO glucose_recent (record_id, system_time, mgdl, trend, status) VALUES ('egv-1', 1799999700000, 112, 'flat', NULL)");
      sql.exec("INSERT INTO dexcom_stream (key, value) VALUES ('enabled', '1'), ('failures', '0')");
      sql.exec("INSERT INTO day_live (date, recomputed_at, dirty) VALUES ('2027-01-15', NULL, 1)");

      expect(await migrateRecordStore(state.storage)).toEqual({ ok: true, applied: ["0002_hub_tables"] });

      expect(sql.exec("SELECT key, value FROM meta ORDER BY key").toArray()).toEqual([
        { key: "days_deadline", value: "1800000000000" },
        { key: "owner", value: userId },
      ]);
      expect(sql.exec("SELECT * FROM live_schedule").toArray()).toEqual([{ source: "dexcom", due: 1800000000000 }]);
      expect(sql.exec("SELECT * FROM glucose_recent").toArray()).toEqual([
        { record_id: "egv-1", system_time: 1799999700000, mgdl: 112, trend: "flat", status: null },
      ]);
      expect(sql.exec("SELECT key, value FROM dexcom_stream ORDER BY key").toArray()).toEqual([
        { key: "enabled", value: "1" },
        { key: "failures", value: "0" },
      ]);
      expect(sql.exec("SELECT * FROM day_live").toArray()).toEqual([{ date: "2027-01-15", recomputed_at: null, dirty: 1 }]);
      expect(schemaShape(sql)).toEqual(fresh);
      // The authorization begun before the deploy still completes, with the binding it was begun with.
      expect(await instance.consumeAuthorization(userId, "st-1")).toEqual({
        source: "whoop",
        codeVerifier: "verifier-1",
        mode: "sandbox",
        browserBinding: browserBinding ? "binding-1" : null,
      });
    });
  });
});
