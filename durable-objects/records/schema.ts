import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * A person's health records, in their own UserHub's SQLite (drizzle-kit generates the migrations from this file:
 * `npm run db:generate:user-hub`). One table serves every kind: samples, daily summaries, sessions, and the lab
 * results, conditions, medications and purchases that follow. A record is identified by (source, kind,
 * external_id); writes are upserts on that key. Times are epoch milliseconds (UTC). Why one table:
 * docs/decisions.md.
 */
export const records = sqliteTable(
  "records",
  {
    /** The row id: unique within the person's object, the tie-breaker of the API's keyset pagination. */
    id: integer("id").primaryKey(),
    source: text("source").notNull(),
    /**
     * The connection's account at the source: empty for a source's only connection, a health system's FHIR base
     * for health records (two hospitals may both have an `Observation/123`).
     */
    account: text("account").notNull().default(""),
    /** Normalized record kind (src/domain/records.ts), e.g. `sleep_session`, `glucose_reading`. */
    kind: text("kind").notNull(),
    /** The provider's id for the record (or a stable composite for samples). */
    externalId: text("external_id").notNull(),
    startTime: integer("start_time").notNull(),
    endTime: integer("end_time"),
    /** The normalized body (JSON, validated by the zod contract). */
    data: text("data").notNull(),
    /** The provider's payload (JSON) for kinds where re-deriving matters; null for samples. */
    raw: text("raw"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("records_identity").on(t.source, t.account, t.kind, t.externalId),
    // Charts and summaries read one kind over a time range; the API pages by (start_time, id) with or without a kind.
    index("records_kind_time").on(t.kind, t.startTime),
    index("records_time").on(t.startTime),
  ],
);

export type RecordRow = typeof records.$inferSelect;

/**
 * The daily picture's state (src/days/): each computed day as last stored, with the digest announced on the
 * days queue. A final day is kept as it was and not recomputed (docs/daily-picture.md).
 */
export const daySummaries = sqliteTable("day_summaries", {
  /** The civil date, YYYY-MM-DD. */
  date: text("date").primaryKey(),
  /** The summary (JSON), as the days API returns it. */
  summary: text("summary").notNull(),
  digest: text("digest").notNull(),
  /** The digest last sent on the days queue; differs from `digest` while a message is owed. */
  announced: text("announced"),
  final: integer("final", { mode: "boolean" }).notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** The person's choice of source per metric (the default precedence applies where there is none). */
export const daySources = sqliteTable("day_sources", {
  metric: text("metric").primaryKey(),
  source: text("source").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** The person's time zone from a date on: a change (travel) starts a new span and leaves earlier days as they were. */
export const dayZones = sqliteTable("day_zones", {
  fromDate: text("from_date").primaryKey(),
  zone: text("zone").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Days a live stream wrote into since their last recompute (`dirty`, 0 or 1), and when that was: the object's own
 * bookkeeping, rebuilt from nothing if lost (the next batch, read or deadline recomputes the day anyway). Created by
 * hand before it moved here, so declared as those objects have it: `date` is the table's primary key, nullable.
 */
export const dayLive = sqliteTable("day_live", { date: text("date"), recomputedAt: integer("recomputed_at"), dirty: integer("dirty").notNull() }, (t) => [
  primaryKey({ columns: [t.date] }),
]);
