import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The UserHub's own bookkeeping, in the person's object next to their record store (durable-objects/records/schema.ts;
 * one migration folder for both: `npm run db:generate:user-hub`). These tables were created by hand in the object's
 * constructor before they moved here, so each is declared exactly as those objects have it: a text key is the
 * table's primary key (`primaryKey({ columns })`) rather than the column's (`.primaryKey()`, which adds NOT NULL),
 * since the hand-written `key TEXT PRIMARY KEY` left it nullable. Migration 0002 adopts the existing tables.
 */

/** Small named values of the object: its owner (the user id it serves) and the daily picture's deadlines. */
export const meta = sqliteTable("meta", { key: text("key"), value: text("value").notNull() }, (t) => [primaryKey({ columns: [t.key] })]);

/** An authorization in progress (UserHub.beginAuthorization): one-time, valid for ten minutes. */
export const pendingAuthorizations = sqliteTable(
  "pending_authorizations",
  {
    state: text("state"),
    source: text("source").notNull(),
    codeVerifier: text("code_verifier"),
    mode: text("mode").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** SHA-256 of the nonce in the starting browser's cookie (src/oauth/browser-binding.ts). Added after the others. */
    browserBinding: text("browser_binding"),
    /** The health system (JSON) a SMART connection is for; null for every other source. Added after browser_binding. */
    healthSystem: text("health_system"),
  },
  (t) => [primaryKey({ columns: [t.state] })],
);

/** When each live stream wants its next look; the object's one alarm is the earliest of them. */
export const liveSchedule = sqliteTable("live_schedule", { source: text("source"), due: integer("due").notNull() }, (t) => [
  primaryKey({ columns: [t.source] }),
]);
