import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The live Dexcom stream's state in the person's UserHub (live-stream.ts), part of the object's one schema
 * (drizzle.user-hub.config.ts lists this file; `npm run db:generate:user-hub`). Declared exactly as the stream's
 * constructor used to create them by hand: a text key is the table's primary key rather than the column's
 * (`.primaryKey()` would add NOT NULL, which those tables lack). Migration 0002 adopts the existing tables.
 */

/** The stream's last day of readings, deduped by Dexcom's record id: what the live card and the gap check read. */
export const glucoseRecent = sqliteTable(
  "glucose_recent",
  {
    recordId: text("record_id"),
    /** Dexcom's systemTime, epoch milliseconds. */
    systemTime: integer("system_time").notNull(),
    mgdl: integer("mgdl").notNull(),
    trend: text("trend").notNull(),
    status: text("status"),
  },
  (t) => [primaryKey({ columns: [t.recordId] }), index("glucose_recent_time").on(t.systemTime)],
);

/** Whether the stream runs, its failures, when it last told D1: small named values. */
export const dexcomStream = sqliteTable("dexcom_stream", { key: text("key"), value: text("value") }, (t) => [primaryKey({ columns: [t.key] })]);
