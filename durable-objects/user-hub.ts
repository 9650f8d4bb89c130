import { DurableObject } from "cloudflare:workers";
import type { SourceId } from "../src/domain/integration";
import { resolveOAuthClient, type ConnectionMode } from "../src/oauth/engine";
import type { TokenSet } from "../src/providers/types";
import { TokenVault, type AccessResult } from "./token-vault";
import { dexcomDelayMs } from "../src/providers/dexcom/auth";
import { DexcomStream, type TickResult } from "./dexcom-stream";
import { GlucoseLive, READING_INTERVAL_MS, TARGET_RANGE_MGDL, type GlucosePoint } from "../views/glucose";
import { drizzle } from "drizzle-orm/durable-sqlite";
import type { RecordKind } from "../src/domain/records";
import { glucoseStats, type GlucoseStats } from "../src/domain/glucose-stats";
import { migrateRecordStore, type SchemaState } from "./records/migrate";
import type { RecordInput } from "./records/rows";
import { RecordStore, type ListedRecord, type RecordQuery, type SummaryRecord, type WriteCounts } from "./records/store";

const LIVE_TAG = "dexcom-live";
const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015]);
const SPARKLINE_MS = 3 * 60 * 60_000;

/** An authorization in progress: one-time, bound to this user's object, valid for ten minutes. */
export interface PendingAuthorization {
  source: SourceId;
  codeVerifier: string | null;
  mode: ConnectionMode;
}

export const AUTHORIZATION_TTL_MS = 10 * 60 * 1000;

/** The person's own UserHub: one per user, addressed by their id. */
export function userHubFor(env: Pick<Env, "USER_HUB">, userId: string) {
  return env.USER_HUB.get(env.USER_HUB.idFromName(userId));
}

export type DisconnectResult = { revokedAtProvider: "yes" | "not_offered" | "failed" | "no_tokens" };

/** A batch handed to the record store: what it wrote, what was already there, what it refused to store. */
export interface PutRecordsResult extends WriteCounts {
  /** Records refused because the source is not connected (its tokens are gone): stored nowhere. */
  dropped: number;
}

/** The record store cannot take writes: its last migration failed (logged as `user_hub_migration_failed`). */
export const RECORD_STORE_UNAVAILABLE = "the record store is unavailable: its schema migration failed";

/**
 * One per user (`idFromName(userId)`). Holds what must be serialized per person: pending authorizations, the
 * token vault, (for Dexcom) the live stream, and the person's data plane: every health record of theirs, in the
 * object's SQLite through Drizzle. Every method takes the user's id and refuses to serve another user than the
 * one the object was first used for.
 */
export class UserHub extends DurableObject<Env> {
  private readonly vault: TokenVault;
  private readonly dexcom: DexcomStream;
  private readonly records: RecordStore;
  /** The record store's migration outcome at start: a failure keeps the previous schema and refuses writes. */
  private schema: SchemaState = { ok: true, applied: [] };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS pending_authorizations (
      state TEXT PRIMARY KEY,
      source TEXT NOT NULL,
      code_verifier TEXT,
      mode TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    )`);
    this.vault = new TokenVault(sql, env);
    this.records = new RecordStore(ctx.storage, drizzle(ctx.storage));
    this.dexcom = new DexcomStream(sql, env, this.vault, this.records);
    // Before any request: the record store's pending migrations, all or none (durable-objects/records/migrate.ts).
    void ctx.blockConcurrencyWhile(async () => {
      this.schema = await migrateRecordStore(ctx.storage);
    });
  }

  private owner(): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'owner'").toArray()[0]?.value ?? null;
  }

  private assertOwner(userId: string): void {
    const sql = this.ctx.storage.sql;
    const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'owner'").toArray()[0];
    if (!row) sql.exec("INSERT INTO meta (key, value) VALUES ('owner', ?)", userId);
    else if (row.value !== userId) throw new Error("this hub belongs to another user");
  }

  async beginAuthorization(userId: string, state: string, pending: PendingAuthorization): Promise<void> {
    this.assertOwner(userId);
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM pending_authorizations WHERE expires_at < ?", Date.now());
    sql.exec(
      "INSERT INTO pending_authorizations (state, source, code_verifier, mode, expires_at) VALUES (?, ?, ?, ?, ?)",
      state,
      pending.source,
      pending.codeVerifier,
      pending.mode,
      Date.now() + AUTHORIZATION_TTL_MS,
    );
  }

  /** Takes the pending authorization for `state` exactly once; expired or unknown states give `null`. */
  async consumeAuthorization(userId: string, state: string): Promise<PendingAuthorization | "expired" | null> {
    this.assertOwner(userId);
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ source: string; code_verifier: string | null; mode: string; expires_at: number }>(
        "DELETE FROM pending_authorizations WHERE state = ? RETURNING source, code_verifier, mode, expires_at",
        state,
      )
      .toArray()[0];
    if (!row) return null;
    if (row.expires_at < Date.now()) return "expired";
    return { source: row.source as SourceId, codeVerifier: row.code_verifier, mode: row.mode as ConnectionMode };
  }

  async storeTokens(userId: string, source: SourceId, mode: ConnectionMode, tokens: TokenSet): Promise<void> {
    this.assertOwner(userId);
    await this.vault.store(userId, source, mode, tokens);
  }

  async hasTokens(userId: string, source: SourceId): Promise<boolean> {
    this.assertOwner(userId);
    return this.vault.has(source);
  }

  async getAccessToken(userId: string, source: SourceId, options: { forceRefresh?: boolean } = {}): Promise<AccessResult> {
    this.assertOwner(userId);
    return this.vault.accessToken(userId, source, options);
  }

  /** Deletes the tokens without calling the provider (it told us the access is already gone). */
  async forgetTokens(userId: string, source: SourceId): Promise<void> {
    this.assertOwner(userId);
    this.vault.drop(source);
  }

  /**
   * Revokes at the provider where it offers a way, then deletes the tokens whatever the provider said: a person
   * who disconnects must never be left with us still holding their keys.
   */
  async disconnect(userId: string, source: SourceId): Promise<DisconnectResult> {
    this.assertOwner(userId);
    if (source === "dexcom") await this.stopDexcomStream(userId);
    const stored = await this.vault.read(userId, source).catch(() => null);
    if (!stored) {
      this.vault.drop(source);
      return { revokedAtProvider: "no_tokens" };
    }
    let revokedAtProvider: DisconnectResult["revokedAtProvider"] = "not_offered";
    try {
      const client = await resolveOAuthClient(source, this.env, stored.mode);
      if (client.revoke) {
        await client.revoke(stored.tokens);
        revokedAtProvider = "yes";
      }
    } catch {
      revokedAtProvider = "failed";
      console.warn(JSON.stringify({ event: "provider_revoke_failed", source }));
    }
    this.vault.drop(source);
    return { revokedAtProvider };
  }

  // --- Health records ----------------------------------------------------------------------------------------

  private writable(): void {
    if (!this.schema.ok) throw new Error(RECORD_STORE_UNAVAILABLE);
  }

  /**
   * One normalized batch from a sync or a webhook, upserted in one transaction: a replay writes 0 rows. A batch
   * for a source this person has disconnected (the vault holds no tokens for it) is dropped and logged: it may
   * have been pulled before they disconnected, or asked for their data to be deleted.
   */
  async putRecords(userId: string, source: SourceId, rows: RecordInput[], now = Date.now()): Promise<PutRecordsResult> {
    this.assertOwner(userId);
    this.writable();
    if (!this.vault.has(source)) {
      console.warn(JSON.stringify({ event: "records_dropped_not_connected", source, count: rows.length }));
      return { written: 0, unchanged: 0, dropped: rows.length };
    }
    return { ...this.records.put(source, rows, now), dropped: 0 };
  }

  /** Records moved in from D1 (src/records/move-from-d1.ts): inserted where the object has none yet. */
  async importRecords(userId: string, source: SourceId, rows: RecordInput[]): Promise<WriteCounts> {
    this.assertOwner(userId);
    this.writable();
    return this.records.import(source, rows, Date.now());
  }

  async listRecords(userId: string, query: RecordQuery): Promise<ListedRecord[]> {
    this.assertOwner(userId);
    return this.records.list(query);
  }

  async recordsSince(userId: string, source: SourceId, kinds: readonly RecordKind[], since: number): Promise<SummaryRecord[]> {
    this.assertOwner(userId);
    return this.records.since(source, kinds, since);
  }

  /** The newest glucose reading and the `span` of readings before it (see RecordStore.latestGlucose). */
  async latestGlucose(userId: string, span = 3 * 3_600_000, limit = 80): Promise<GlucosePoint[]> {
    this.assertOwner(userId);
    return this.records.latestGlucose(span, limit).map((row) => ({ time: row.time, mgdl: Math.round(row.mgdl), trend: row.trend, status: row.status ?? undefined }));
  }

  async glucoseStats(userId: string, since: number, until: number): Promise<GlucoseStats> {
    this.assertOwner(userId);
    return glucoseStats(this.records.glucoseAggregate(since, until, TARGET_RANGE_MGDL.low, TARGET_RANGE_MGDL.high), since, until);
  }

  /** "Delete my data" for one source; returns how many records were deleted. */
  async deleteRecords(userId: string, source: SourceId): Promise<number> {
    this.assertOwner(userId);
    return this.records.deleteSource(source);
  }

  // --- Dexcom live stream -------------------------------------------------------------------------------------

  /** Starts (or restarts) the stream: the first look happens right away, then on the reading cadence. */
  async startDexcomStream(userId: string): Promise<void> {
    this.assertOwner(userId);
    this.dexcom.start();
    await this.ctx.storage.setAlarm(Date.now());
  }

  async stopDexcomStream(userId: string): Promise<void> {
    this.assertOwner(userId);
    this.dexcom.stop();
    await this.ctx.storage.deleteAlarm();
    for (const socket of this.ctx.getWebSockets(LIVE_TAG)) socket.close(1000, "Dexcom disconnected");
  }

  /** Readings held in the object since `since` (the last day at most). */
  async dexcomReadings(userId: string, since: number) {
    this.assertOwner(userId);
    return this.dexcom.recent(since);
  }

  /**
   * The alarm is the stream's clock. Whatever a tick does (it handles Dexcom's failures itself, but storage or a
   * bug could still throw), the next alarm is set before this returns, unless the stream was stopped. The error is
   * logged, not rethrown: a rethrow would also have the platform retry the alarm within seconds, on top of ours.
   */
  override async alarm(): Promise<void> {
    const userId = this.owner();
    let result: TickResult | null = null;
    try {
      if (userId) result = await this.dexcom.tick(userId);
    } catch (error) {
      console.error(JSON.stringify({ event: "dexcom_stream_alarm_failed", name: error instanceof Error ? error.name : typeof error }));
    }
    const next = result ? result.nextAlarmAt : this.dexcom.enabled ? Date.now() + READING_INTERVAL_MS : null;
    if (next !== null && this.dexcom.enabled) await this.ctx.storage.setAlarm(next);
    if (result && result.newReadings > 0) this.pushLive();
  }

  /** Sends the current glucose fragment to every open page (hibernatable WebSockets: no cost while idle). */
  private pushLive(): void {
    const sockets = this.ctx.getWebSockets(LIVE_TAG);
    if (sockets.length === 0) return;
    const html = this.liveFragment();
    for (const socket of sockets) {
      try {
        socket.send(html);
      } catch {
        // A socket closing as we send: the close handler cleans up.
      }
    }
  }

  /**
   * The newest reading and the sparkline's hours before it, however long ago that was: the object keeps the last
   * day of readings it received, so a page can say how old the last one is when readings have stopped.
   */
  private liveFragment(): string {
    const now = Date.now();
    const held = this.dexcom.recent(0);
    const newest = held.at(-1)?.time ?? now;
    const points = held.filter((p) => p.time >= newest - SPARKLINE_MS);
    return String(GlucoseLive({ points, now, delayMs: dexcomDelayMs(this.env) }));
  }

  /** A page opening the live view: upgrade to a hibernatable WebSocket and send the current state at once. */
  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get("X-Wellness-User");
    if (request.headers.get("Upgrade") !== "websocket" || !userId) return new Response("expected a WebSocket upgrade", { status: 426 });
    this.assertOwner(userId);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [LIVE_TAG]);
    server.send(this.liveFragment());
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(): Promise<void> {
    // The live view only listens; anything a page sends is ignored.
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    // 1005 (no status), 1006 (abnormal: a dropped network, a crashed tab) and 1015 (TLS) describe how a connection
    // ended and may not be sent: echoing them throws.
    socket.close(RESERVED_CLOSE_CODES.has(code) ? 1000 : code, "closing");
  }
}
