import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Times are epoch milliseconds (UTC) everywhere, so comparisons and indexes stay cheap.
const createdAt = () => integer("created_at", { mode: "number" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  displayName: text("display_name"),
  /** Cloudflare Access `sub`, or null for development sign-ins. */
  accessSubject: text("access_subject").unique(),
  /** How the person wants body weight shown; null until they choose (kilograms). Records stay in kg. */
  weightUnit: text("weight_unit", { enum: ["kg", "lb"] }),
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
    /**
     * Which of the person's accounts at the source, for sources a person connects more than once: a health
     * system's FHIR base (src/providers/smart-fhir/systems.ts). Empty for every other source (one connection each).
     */
    account: text("account").notNull().default(""),
    /** The account as the person knows it ("Mass General Brigham"); null where there is only one. */
    accountName: text("account_name"),
    status: text("status", { enum: ["connected", "disconnected", "needs_reauth", "error"] }).notNull(),
    /** Why the connection needs attention, in words the user can act on; null when healthy. */
    statusReason: text("status_reason"),
    externalUserId: text("external_user_id"),
    /** Space-separated scopes the provider actually granted. */
    scopes: text("scopes"),
    /** `live` or `sandbox`: which provider issued the tokens. */
    mode: text("mode", { enum: ["live", "sandbox"] })
      .notNull()
      .default("live"),
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
    uniqueIndex("integration_connections_user_source_account").on(t.userId, t.sourceId, t.account),
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
  (t) => [
    index("sync_runs_connection_started").on(t.connectionId, t.startedAt),
    // Retention deletes the oldest runs first (src/sync/retention.ts).
    index("sync_runs_started").on(t.startedAt),
  ],
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
  (t) => [
    uniqueIndex("webhook_events_provider_event").on(t.provider, t.eventId),
    // Retention deletes the oldest events first (src/sync/retention.ts).
    index("webhook_events_received").on(t.receivedAt),
  ],
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
    /** The connection's account (a health system), as in integration_connections; empty for single-account sources. */
    account: text("account").notNull().default(""),
    scopes: text("scopes").notNull(),
    grantedAt: integer("granted_at", { mode: "number" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "number" }),
  },
  (t) => [index("consents_user_source").on(t.userId, t.sourceId)],
);

/**
 * Where a long-running maintenance job has got to, so it resumes after a crash and a rerun is safe: one row per
 * job, e.g. `health_records_to_user_hubs` (src/records/move-from-d1.ts).
 */
export const maintenanceCursors = sqliteTable("maintenance_cursors", {
  name: text("name").primaryKey(),
  /** The job's own resume point (JSON); null before the first step. */
  cursor: text("cursor"),
  /** Items handled so far. */
  done: integer("done").notNull().default(0),
  finishedAt: integer("finished_at", { mode: "number" }),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

/**
 * Each person's Junction user (src/providers/junction/users.ts): created on first need with `client_user_id` = our
 * user id. In D1 rather than the person's UserHub because Junction's webhooks name the person by Junction's id, and
 * only a table across people can answer "whose is this".
 */
export const junctionUsers = sqliteTable("junction_users", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  junctionUserId: text("junction_user_id").notNull().unique(),
  mode: text("mode", { enum: ["live", "sandbox"] }).notNull(),
  createdAt: createdAt(),
});

/**
 * One-time codes that hand a settings-page session to the person's phone (src/providers/junction/handoff.ts): only
 * the code's SHA-256 is kept, it expires after 10 minutes, and `used_at` makes it one-time.
 */
export const junctionHandoffs = sqliteTable(
  "junction_handoffs",
  {
    codeHash: text("code_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sourceId: text("source_id").notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
    usedAt: integer("used_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [index("junction_handoffs_expires").on(t.expiresAt)],
);

/**
 * The food and supplement catalog purchases are matched to (src/catalog/seed.ts, sources cited there), the same for
 * everyone: canonical name, kind, form, typical units and synonyms (JSON arrays). Seeded from the code on first
 * use (src/catalog/store.ts); a person's corrections are aliases in their own record store, not rows here.
 */
export const catalogItems = sqliteTable(
  "catalog_items",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["food", "supplement"] }).notNull(),
    name: text("name").notNull(),
    form: text("form").notNull(),
    units: text("units").notNull(),
    synonyms: text("synonyms").notNull(),
    source: text("source").notNull(),
  },
  (t) => [index("catalog_items_kind_name").on(t.kind, t.name)],
);

export type User = typeof users.$inferSelect;
export type IntegrationConnection = typeof integrationConnections.$inferSelect;
export type NewIntegrationConnection = typeof integrationConnections.$inferInsert;
export type SyncRun = typeof syncRuns.$inferSelect;
