import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The development-only database (binding DEV_DB, migrations in migrations/development/), which production's
 * configuration does not have: the sandbox providers' state never becomes a production table.
 */

/** Grants issued by the sandbox providers (authorization codes and rotating refresh tokens). */
export const sandboxGrants = sqliteTable(
  "sandbox_grants",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    /** SHA-256 of the one-time authorization code; unique so a replayed code cannot be redeemed twice. */
    codeHash: text("code_hash").notNull(),
    /** SHA-256 of the only refresh token that is valid now; rotating replaces it. */
    refreshTokenHash: text("refresh_token_hash"),
    scope: text("scope").notNull(),
    revokedAt: integer("revoked_at", { mode: "number" }),
    createdAt: integer("created_at", { mode: "number" }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [uniqueIndex("sandbox_grants_code").on(t.codeHash), index("sandbox_grants_refresh").on(t.refreshTokenHash)],
);
