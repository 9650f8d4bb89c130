import { blob, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The person's sealed tokens (durable-objects/token-vault.ts), one row per connection: the source and, for a
 * source a person connects more than once (health systems), the account, as in D1's integration_connections.
 */
export const vaultTokens = sqliteTable(
  "vault_tokens",
  {
    source: text("source").notNull(),
    /** Empty for a source's only connection; a health system's FHIR base otherwise. */
    account: text("account").notNull().default(""),
    /** `live` or `sandbox`: which provider issued the tokens. */
    mode: text("mode").notNull(),
    /** The key (TOKEN_ENCRYPTION_KEYS) that sealed them; an older one is re-sealed on read. */
    keyId: text("key_id").notNull(),
    iv: blob("iv", { mode: "buffer" }).notNull(),
    ciphertext: blob("ciphertext", { mode: "buffer" }).notNull(),
    expiresAt: integer("expires_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.account] })],
);
