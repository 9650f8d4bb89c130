import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { migrateRecordStore } from "../../durable-objects/records/migrate";
import bundled from "../../durable-objects/records/migrations/migrations.js";
import { TokenVault } from "../../durable-objects/token-vault";
import { userHubFor } from "../../durable-objects/user-hub";
import { TokenCipher } from "../../src/crypto/token-cipher";

// The vault's tokens lived in a table the object created itself (`tokens`, one row per source) until the vault moved
// into the record store's migrations (0002, keyed by source and account). An object created before keeps its tokens.
const VAULT_MIGRATION = bundled.journal.entries.findIndex((entry) => entry.tag.endsWith("connection_accounts"));
const before = {
  journal: { ...bundled.journal, entries: bundled.journal.entries.slice(0, VAULT_MIGRATION) },
  migrations: bundled.migrations,
};

it("moves an older object's tokens into the vault's table under the empty account, still readable", async () => {
  const userId = `usr_vault_${crypto.randomUUID().slice(0, 8)}`;
  await runInDurableObject(userHubFor(env, userId), async (_instance, state) => {
    const sql = state.storage.sql;
    // Back to the schema as it was before the vault's migration (the object started on today's bundle).
    const tables = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray();
    for (const { name } of tables)
      if (name !== "meta" && name !== "pending_authorizations" && name !== "live_schedule") sql.exec(`DROP TABLE IF EXISTS "${name}"`);
    expect(await migrateRecordStore(state.storage, before)).toMatchObject({ ok: true });
    sql.exec(`CREATE TABLE tokens (source TEXT PRIMARY KEY, mode TEXT NOT NULL, key_id TEXT NOT NULL, iv BLOB NOT NULL,
      ciphertext BLOB NOT NULL, expires_at INTEGER, updated_at INTEGER NOT NULL)`);
    const sealed = await TokenCipher.fromEnv(env).seal(
      JSON.stringify({ accessToken: "at-1", refreshToken: "rt-1", expiresAt: null, scope: null, context: {} }),
      `${userId}:oura`,
    );
    sql.exec("INSERT INTO tokens VALUES ('oura', 'sandbox', ?, ?, ?, NULL, 1)", sealed.keyId, sealed.iv, sealed.ciphertext);

    expect(await migrateRecordStore(state.storage, bundled)).toMatchObject({
      ok: true,
      applied: expect.arrayContaining([bundled.journal.entries[VAULT_MIGRATION]!.tag]),
    });
    expect(sql.exec("SELECT name FROM sqlite_master WHERE name = 'tokens'").toArray()).toEqual([]);
    expect(sql.exec("SELECT source, account, mode FROM vault_tokens").toArray()).toEqual([{ source: "oura", account: "", mode: "sandbox" }]);
    const vault = new TokenVault(sql, env);
    expect((await vault.read(userId, "oura"))?.tokens.refreshToken).toBe("rt-1");
  });
});

it("gives a new object an empty vault (the legacy table it never had is not left behind)", async () => {
  const userId = `usr_vault_${crypto.randomUUID().slice(0, 8)}`;
  await runInDurableObject(userHubFor(env, userId), async (_instance, state) => {
    const names = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name);
    expect(names).toContain("vault_tokens");
    expect(names).not.toContain("tokens");
    expect(state.storage.sql.exec("SELECT count(*) AS n FROM vault_tokens").one().n).toBe(0);
  });
});
