import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Times are epoch milliseconds (UTC) everywhere, so comparisons and indexes stay cheap.
const createdAt = () =>
  integer("created_at", { mode: "number" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  displayName: text("display_name"),
  /** Cloudflare Access `sub`, or null for development sign-ins. */
  accessSubject: text("access_subject").unique(),
  createdAt: createdAt(),
});

export const integrationConnections = sqliteTable(
  "integration_connections",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sourceId: text("source_id").notNull(),
    status: text("status", { enum: ["connected", "disconnected", "needs_reauth", "error"] }).notNull(),
    /** Why the connection needs attention, in words the user can act on; null when healthy. */
    statusReason: text("status_reason"),
    externalUserId: text("external_user_id"),
    /** Space-separated scopes the provider actually granted. */
    scopes: text("scopes"),
    /** `live` or `sandbox`: which provider issued the tokens. */
    mode: text("mode", { enum: ["live", "sandbox"] }).notNull().default("live"),
    connectedAt: integer("connected_at", { mode: "number" }),
    lastSyncAt: integer("last_sync_at", { mode: "number" }),
    lastSuccessAt: integer("last_success_at", { mode: "number" }),
    nextSyncAt: integer("next_sync_at", { mode: "number" }),
    lastError: text("last_error"),
    tokenExpiresAt: integer("token_expires_at", { mode: "number" }),
    /** Provider-specific resume point for incremental pulls (JSON). */
    syncCursor: text("sync_cursor"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [
    uniqueIndex("integration_connections_user_source").on(t.userId, t.sourceId),
    // The cron scans only rows it may sync (healthy, or failing and still retried) that are due.
    index("integration_connections_due").on(t.nextSyncAt).where(sql`status IN ('connected', 'error')`),
    // Webhooks name the person by the provider's id.
    index("integration_connections_external").on(t.sourceId, t.externalUserId),
  ],
);

export const syncRuns = sqliteTable(
  "sync_runs",
  {
    id: text("id").primaryKey(),
    connectionId: text("connection_id")
      .notNull()
      .references(() => integrationConnections.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    sourceId: text("source_id").notNull(),
    trigger: text("trigger", { enum: ["cron", "manual", "webhook", "backfill", "connect"] }).notNull(),
    status: text("status", { enum: ["queued", "running", "succeeded", "partial", "failed"] }).notNull(),
    windowStart: integer("window_start", { mode: "number" }),
    windowEnd: integer("window_end", { mode: "number" }),
    recordsUpserted: integer("records_upserted").notNull().default(0),
    recordsSkipped: integer("records_skipped").notNull().default(0),
    error: text("error"),
    startedAt: integer("started_at", { mode: "number" }).notNull(),
    finishedAt: integer("finished_at", { mode: "number" }),
  },
  (t) => [index("sync_runs_connection_started").on(t.connectionId, t.startedAt)],
);

const WEBHOOK_EVENT_STATUSES = ["processing", "processed", "skipped", "failed"] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    /** The provider's own event id (or a digest of the body when it sends none); the dedupe key. */
    eventId: text("event_id").notNull(),
    receivedAt: integer("received_at", { mode: "number" }).notNull(),
    /** `processing` from the consumer's claim until the work is done; then the final state. */
    status: text("status", { enum: WEBHOOK_EVENT_STATUSES }).notNull(),
    detail: text("detail"),
  },
  (t) => [uniqueIndex("webhook_events_provider_event").on(t.provider, t.eventId)],
);

export const deviceSuggestions = sqliteTable("device_suggestions", {
  id: text("id").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  deviceName: text("device_name").notNull(),
  deviceType: text("device_type").notNull(),
  note: text("note"),
  createdAt: createdAt(),
});

export const consents = sqliteTable(
  "consents",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sourceId: text("source_id").notNull(),
    scopes: text("scopes").notNull(),
    grantedAt: integer("granted_at", { mode: "number" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "number" }),
  },
  (t) => [index("consents_user_source").on(t.userId, t.sourceId)],
);

export const healthRecords = sqliteTable(
  "health_records",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sourceId: text("source_id").notNull(),
    /** Normalized record kind, e.g. `sleep_session`, `glucose_reading`. */
    kind: text("kind").notNull(),
    /** The provider's id for the record (or a stable composite for samples). */
    externalId: text("external_id").notNull(),
    startTime: integer("start_time", { mode: "number" }).notNull(),
    endTime: integer("end_time", { mode: "number" }),
    /** The normalized body (JSON, validated by the zod contract). */
    data: text("data").notNull(),
    /** The provider's payload for this record, kept for re-derivation (JSON). */
    raw: text("raw"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [
    uniqueIndex("health_records_identity").on(t.userId, t.sourceId, t.kind, t.externalId),
    index("health_records_user_kind_time").on(t.userId, t.kind, t.startTime),
  ],
);

export type User = typeof users.$inferSelect;
export type IntegrationConnection = typeof integrationConnections.$inferSelect;
export type NewIntegrationConnection = typeof integrationConnections.$inferInsert;
export type SyncRun = typeof syncRuns.$inferSelect;
export type HealthRecordRow = typeof healthRecords.$inferSelect;
