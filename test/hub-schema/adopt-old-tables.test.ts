import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { migrateRecordStore } from "../../durable-objects/records/migrate";
import bundled from "../../durable-objects/records/migrations/migrations.js";
import { userHubFor } from "../../durable-objects/user-hub";
import { schemaShape } from "./shape";

// The DDL the constructors ran by hand before these tables moved into the schema (git show 939764d:
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
// Added by the constructor, once each, to an object created before the browser binding, then the health systems.
const OLD_ADDED_COLUMNS = ["browser_binding", "health_system"] as const;

/** The migrations an object had run before the hub's tables moved into them. */
const HUB_MIGRATION = bundled.journal.entries.findIndex((entry) => entry.tag.endsWith("hub_tables"));
const before = { journal: { ...bundled.journal, entries: bundled.journal.entries.slice(0, HUB_MIGRATION) }, migrations: bundled.migrations };

const SYSTEM = JSON.stringify({ name: "Example Health", fhirBase: "https://fhir.example.org/R4" });

describe.each([
  { name: "neither added column", added: 0 },
  { name: "browser_binding", added: 1 },
  { name: "browser_binding and health_system", added: 2 },
])("an object whose tables were created by hand, pending_authorizations with $name", ({ added }) => {
  it("keeps every row through the migration and ends with a new object's schema", async () => {
    const userId = `usr_adopt_${crypto.randomUUID().slice(0, 8)}`;
    const fresh = await runInDurableObject(userHubFor(env, `usr_adopt_fresh_${crypto.randomUUID().slice(0, 8)}`), (_instance, state) =>
      schemaShape(state.storage.sql),
    );
    const expiresAt = Date.now() + 5 * 60_000;
    await runInDurableObject(userHubFor(env, userId), async (instance, state) => {
      const sql = state.storage.sql;
      // Back to the storage of an object that started before this change: the earlier migrations, the rest by hand.
      for (const { name } of sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
        .toArray()) {
        sql.exec(`DROP TABLE "${name}"`);
      }
      expect(await migrateRecordStore(state.storage, before)).toMatchObject({ ok: true, applied: before.journal.entries.map((entry) => entry.tag) });
      for (const statement of OLD_DDL) sql.exec(statement);
      const columns = OLD_ADDED_COLUMNS.slice(0, added);
      for (const column of columns) sql.exec(`ALTER TABLE pending_authorizations ADD COLUMN ${column} TEXT`);
      sql.exec("INSERT INTO meta (key, value) VALUES ('owner', ?), ('days_deadline', '1800000000000')", userId);
      const values = ["binding-1", SYSTEM].slice(0, added);
      sql.exec(
        `INSERT INTO pending_authorizations (state, source, code_verifier, mode, expires_at${columns.map((column) => `, ${column}`).join("")})
         VALUES ('st-1', 'epic', 'verifier-1', 'sandbox', ?${", ?".repeat(added)})`,
        expiresAt,
        ...values,
      );
      sql.exec("INSERT INTO live_schedule (source, due) VALUES ('dexcom', 1800000000000)");
      sql.exec("INSERT INTO glucose_recent (record_id, system_time, mgdl, trend, status) VALUES ('egv-1', 1799999700000, 112, 'flat', NULL)");
      sql.exec("INSERT INTO dexcom_stream (key, value) VALUES ('enabled', '1'), ('failures', '0')");
      sql.exec("INSERT INTO day_live (date, recomputed_at, dirty) VALUES ('2027-01-15', NULL, 1)");

      expect(await migrateRecordStore(state.storage)).toEqual({ ok: true, applied: [bundled.journal.entries[HUB_MIGRATION]!.tag] });

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
      // The authorization begun before the deploy still completes, with what it was begun with.
      expect(await instance.consumeAuthorization(userId, "st-1")).toEqual({
        source: "epic",
        codeVerifier: "verifier-1",
        mode: "sandbox",
        browserBinding: added >= 1 ? "binding-1" : null,
        system: added >= 2 ? JSON.parse(SYSTEM) : null,
      });
    });
  });
});
