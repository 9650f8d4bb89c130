import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { sendDayMessages } from "../src/days/messages";
import type { DaySummary } from "../src/days/picture";
import type { Metric } from "../src/days/precedence";
import { localDate, type ZoneSpan, zoneOn } from "../src/days/zone";
import { catalogEntry } from "../src/domain/catalog";
import { type GlucoseStats, glucoseStats } from "../src/domain/glucose-stats";
import { SourceId } from "../src/domain/integration";
import type { RecordKind } from "../src/domain/records";
import { type ConnectionMode, resolveOAuthClient } from "../src/oauth/engine";
import { deregisterAtJunction, isJunctionGrant } from "../src/providers/junction/deregister";
import { PROVIDERS } from "../src/providers/registry";
import type { HealthSystem } from "../src/providers/smart-fhir/systems";
import type { LiveStream, LiveTick, RecordSink, TokenSet } from "../src/providers/types";
import { type GlucosePoint, TARGET_RANGE_MGDL } from "../views/glucose";
import { DayStore, type DayUpdate } from "./records/days";

export type { DayUpdate };

import { migrateRecordStore, type SchemaState } from "./records/migrate";
import { type RecordInput, toRecordInput } from "./records/rows";
import { type ListedRecord, type RecordQuery, RecordStore, type SummaryRecord, type WriteCounts } from "./records/store";
import { type AccessResult, TokenVault, toVaultKey, type VaultTarget, vaultKey } from "./token-vault";

const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015]);
/** A live stream whose tick threw (storage, a bug) looks again after this long. */
const LIVE_RETRY_MS = 5 * 60_000;
/** Streams due within this margin of an alarm are ticked by it, so two streams share alarms rather than chase. */
const LIVE_DUE_MARGIN_MS = 1_000;
const liveTag = (source: SourceId) => `live:${source}`;
/** A "day updated" message the alarm could not send is tried again this much later (it stays owed meanwhile). */
const DAY_MESSAGE_RETRY_MS = 5 * 60_000;

/** An authorization in progress: one-time, bound to this user's object, valid for ten minutes. */
export interface PendingAuthorization {
  source: SourceId;
  codeVerifier: string | null;
  mode: ConnectionMode;
  /** SHA-256 of the nonce in the starting browser's cookie (src/oauth/browser-binding.ts). */
  browserBinding: string | null;
  /** The health system a SMART connection is for; null for every other source (and the deployment's own system). */
  system: HealthSystem | null;
}

export const AUTHORIZATION_TTL_MS = 10 * 60 * 1000;

/** The person's own UserHub: one per user, addressed by their id. */
export function userHubFor(env: Pick<Env, "USER_HUB">, userId: string) {
  return env.USER_HUB.get(env.USER_HUB.idFromName(userId));
}

export type DisconnectResult = { revokedAtProvider: "yes" | "not_offered" | "failed" | "no_tokens" | "not_asked" };

/** A batch handed to the record store: what it wrote, what was already there, what it refused to store. */
export interface PutRecordsResult extends WriteCounts {
  /** Records refused because the source is not connected (its tokens are gone): stored nowhere. */
  dropped: number;
  /** Days of the daily picture this batch changed, owed a "day updated" message (src/days/announce.ts). */
  days: DayUpdate[];
}

/** The record store cannot take writes: its last migration failed (logged as `user_hub_migration_failed`). */
export const RECORD_STORE_UNAVAILABLE = "the record store is unavailable: its schema migration failed";

export interface HubDisconnectOptions {
  /** Ask the provider to revoke the grant; false when the provider told us the access is already gone. */
  revokeAtProvider: boolean;
}

/**
 * One per user (`idFromName(userId)`). Holds what must be serialized per person: pending authorizations, the
 * token vault, the live stream of every adapter that has one (`adapter.live`), and the person's data plane: every
 * health record of theirs, in the object's SQLite through Drizzle. Every method takes the user's id and refuses to
 * serve another user than the one the object was first used for.
 */
export class UserHub extends DurableObject<Env> {
  private readonly vault: TokenVault;
  private readonly live = new Map<SourceId, LiveStream>();
  private readonly records: RecordStore;
  private readonly dayStore: DayStore;
  private readonly recordSink: RecordSink;
  /** The record store's migration outcome at start: a failure keeps the previous schema and refuses writes. */
  private schema: SchemaState = { ok: true, applied: [] };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.vault = new TokenVault(sql, env);
    const tokens = {
      getAccessToken: (userId: string, source: SourceId, options?: { forceRefresh?: boolean }) => this.vault.accessToken(userId, vaultKey(source), options),
    };
    this.records = new RecordStore(ctx.storage, drizzle(ctx.storage));
    this.dayStore = new DayStore(ctx.storage, drizzle(ctx.storage));
    // A live stream writes what it normalized straight into the person's record store, in this same object.
    // The days it wrote into are recomputed on the object's alarm (at most every 15 minutes a day), since a
    // stream writes a reading every five.
    this.recordSink = {
      put: (source, batch, now) => {
        const rows = batch.map(toRecordInput).filter((row) => row !== null);
        const counts = this.records.put(source, rows, now);
        if (counts.written > 0) {
          try {
            this.dayStore.liveWrote(rows);
          } catch (error) {
            console.error(JSON.stringify({ event: "day_picture_failed", name: error instanceof Error ? error.name : typeof error }));
          }
        }
        return counts;
      },
    };
    for (const adapter of Object.values(PROVIDERS)) {
      if (adapter.live) this.live.set(adapter.id, adapter.live.open({ sql, env, tokens, records: this.recordSink }));
    }
    // Before any request or alarm: the object's pending migrations (the record store, the hub's own tables, each
    // live stream's), all or none (durable-objects/records/migrate.ts). Nothing above reads a table: the streams
    // touch storage only when ticked or asked, and blockConcurrencyWhile holds both until this resolves.
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
      "INSERT INTO pending_authorizations (state, source, code_verifier, mode, browser_binding, health_system, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      state,
      pending.source,
      pending.codeVerifier,
      pending.mode,
      pending.browserBinding,
      pending.system ? JSON.stringify(pending.system) : null,
      Date.now() + AUTHORIZATION_TTL_MS,
    );
  }

  /** Takes the pending authorization for `state` exactly once; expired or unknown states give `null`. */
  async consumeAuthorization(userId: string, state: string): Promise<PendingAuthorization | "expired" | null> {
    this.assertOwner(userId);
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ source: string; code_verifier: string | null; mode: string; browser_binding: string | null; health_system: string | null; expires_at: number }>(
        "DELETE FROM pending_authorizations WHERE state = ? RETURNING source, code_verifier, mode, browser_binding, health_system, expires_at",
        state,
      )
      .toArray()[0];
    if (!row) return null;
    if (row.expires_at < Date.now()) return "expired";
    return {
      source: row.source as SourceId,
      codeVerifier: row.code_verifier,
      mode: row.mode as ConnectionMode,
      browserBinding: row.browser_binding,
      system: row.health_system ? (JSON.parse(row.health_system) as HealthSystem) : null,
    };
  }

  /** `connection` is a source (its only connection) or a source and account (one of the person's health systems). */
  async storeTokens(userId: string, connection: VaultTarget, mode: ConnectionMode, tokens: TokenSet): Promise<void> {
    this.assertOwner(userId);
    await this.vault.store(userId, toVaultKey(connection), mode, tokens);
  }

  async getAccessToken(userId: string, connection: VaultTarget, options: { forceRefresh?: boolean } = {}): Promise<AccessResult> {
    this.assertOwner(userId);
    return this.vault.accessToken(userId, toVaultKey(connection), options);
  }

  /**
   * The object's part of a disconnect (src/connections/disconnect.ts is the whole of it): stops the source's live
   * stream, revokes at the provider where it offers a way and was asked to, then deletes the tokens whatever the
   * provider said: a person who disconnects must never be left with us still holding their keys.
   */
  async disconnect(userId: string, connection: VaultTarget, options: HubDisconnectOptions = { revokeAtProvider: true }): Promise<DisconnectResult> {
    this.assertOwner(userId);
    const key = toVaultKey(connection);
    const { source } = key;
    await this.stopLive(source);
    const stored = options.revokeAtProvider ? await this.vault.read(userId, key).catch(() => null) : null;
    if (!stored) {
      this.vault.drop(key);
      return { revokedAtProvider: options.revokeAtProvider ? "no_tokens" : "not_asked" };
    }
    let revokedAtProvider: DisconnectResult["revokedAtProvider"] = "not_offered";
    try {
      if (isJunctionGrant(stored.tokens)) {
        // Reached through Junction: there is no token to revoke; Junction is told to stop pulling for the person.
        await deregisterAtJunction(this.env, source, stored.tokens);
        revokedAtProvider = "yes";
      } else {
        const fhirBase = stored.tokens.context.fhirBase;
        const client = await resolveOAuthClient(source, this.env, stored.mode, fhirBase ? { fhirBase } : {});
        if (client.revoke) {
          await client.revoke(stored.tokens);
          revokedAtProvider = "yes";
        }
      }
    } catch {
      revokedAtProvider = "failed";
      console.warn(JSON.stringify({ event: "provider_revoke_failed", source }));
    }
    this.vault.drop(key);
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
  async putRecords(userId: string, connection: VaultTarget, rows: RecordInput[], now = Date.now()): Promise<PutRecordsResult> {
    this.assertOwner(userId);
    this.writable();
    const key = toVaultKey(connection);
    const { source } = key;
    if (!this.vault.has(key)) {
      console.warn(JSON.stringify({ event: "records_dropped_not_connected", source, count: rows.length }));
      return { written: 0, inserted: 0, unchanged: 0, dropped: rows.length, days: [] };
    }
    const counts = this.records.put(source, rows, now, key.account);
    const days = this.recomputeDays(rows, now);
    await this.armDayDeadline(now);
    return { ...counts, dropped: 0, days };
  }

  // --- The daily picture (src/days/, durable-objects/records/days.ts) ---------------------------------------

  /** The days a batch touched, recomputed; a failure here is logged and never fails the stored batch. */
  private recomputeDays(rows: readonly RecordInput[], now: number): DayUpdate[] {
    try {
      return this.dayStore.afterWrite(rows, this.vault.sources(), now);
    } catch (error) {
      console.error(JSON.stringify({ event: "day_picture_failed", name: error instanceof Error ? error.name : typeof error }));
      return [];
    }
  }

  /** The person's days from `from` to `to` (YYYY-MM-DD, both included), and those owing a message. */
  async days(userId: string, from: string, to: string, now = Date.now()): Promise<{ days: DaySummary[]; owed: DayUpdate[] }> {
    this.assertOwner(userId);
    this.writable();
    const result = this.dayStore.days(from, to, this.vault.sources(), now);
    await this.armDayDeadline(now);
    return result;
  }

  private meta(key: string): number | null {
    const value = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
    return value === undefined ? null : Number(value);
  }

  private setMeta(key: string, value: number | null): void {
    const sql = this.ctx.storage.sql;
    if (value === null) sql.exec("DELETE FROM meta WHERE key = ?", key);
    else sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, String(value));
  }

  /**
   * Sets the alarm for the earliest open day's 72-hour deadline, so a day becomes final, and its message is sent,
   * even if no data comes and nobody reads. `now` is the clock the call was given (a batch's time); the alarm runs
   * on the platform's clock, so it is set the same distance from that.
   */
  private async armDayDeadline(now: number): Promise<void> {
    try {
      const deadline = this.dayStore.nextDeadline();
      this.setMeta("days_deadline", deadline === null ? null : Date.now() + Math.max(0, deadline - now));
      await this.rearm();
    } catch (error) {
      console.error(JSON.stringify({ event: "day_deadline_failed", name: error instanceof Error ? error.name : typeof error }));
    }
  }

  /**
   * On the alarm: freezes the days past their deadline, recomputes the live-written days whose wait is over, and
   * sends every owed message. A failed send keeps them owed and tries again in five minutes.
   */
  private async settleDays(userId: string): Promise<void> {
    if (!this.schema.ok) return;
    const now = Date.now();
    let owed: DayUpdate[];
    try {
      owed = this.dayStore.settle(this.vault.sources(), now);
      this.setMeta("days_deadline", this.dayStore.nextDeadline());
    } catch (error) {
      console.error(JSON.stringify({ event: "day_picture_failed", name: error instanceof Error ? error.name : typeof error }));
      this.setMeta("days_retry", now + DAY_MESSAGE_RETRY_MS);
      return;
    }
    if (owed.length === 0) {
      this.setMeta("days_retry", null);
      return;
    }
    try {
      await sendDayMessages(this.env.DAYS_QUEUE, userId, owed);
      this.dayStore.announced(owed);
      this.setMeta("days_retry", null);
    } catch (error) {
      console.error(JSON.stringify({ event: "day_messages_failed", count: owed.length, name: error instanceof Error ? error.name : typeof error }));
      this.setMeta("days_retry", now + DAY_MESSAGE_RETRY_MS);
    }
  }

  /** Marks days as sent on the days queue (only where the digest is still the current one). */
  async daysAnnounced(userId: string, updates: { date: string; digest: string }[]): Promise<void> {
    this.assertOwner(userId);
    this.dayStore.announced(updates);
  }

  async daySettings(userId: string): Promise<{ zones: ZoneSpan[]; overrides: Partial<Record<Metric, string>>; connected: SourceId[] }> {
    this.assertOwner(userId);
    return { zones: this.dayStore.zones(), overrides: this.dayStore.overrides(), connected: this.vault.sources() };
  }

  /**
   * The person's sources per metric (null: back to the default) and, when given, their time zone from today on,
   * all or nothing: a source they have not connected is refused and nothing is written.
   */
  async setDayPreferences(
    userId: string,
    choices: Partial<Record<Metric, SourceId | null>>,
    zone: string | null,
    now = Date.now(),
  ): Promise<{ saved: true } | { saved: false; notConnected: Metric[] }> {
    this.assertOwner(userId);
    this.writable();
    const notConnected = (Object.keys(choices) as Metric[]).filter((metric) => {
      const source = choices[metric];
      return source !== null && source !== undefined && !this.vault.has(source);
    });
    if (notConnected.length > 0) return { saved: false, notConnected };
    this.ctx.storage.transactionSync(() => {
      for (const metric of Object.keys(choices) as Metric[]) this.dayStore.setOverride(metric, choices[metric] ?? null, now);
      // A new zone starts today, so the days already lived keep the zone they were lived in.
      if (zone !== null && zoneOn(localDate(now, zone), this.dayStore.zones()) !== zone) this.dayStore.setZone(localDate(now, zone), zone, now);
    });
    return { saved: true };
  }

  /** The person's time zone from a date on (a valid IANA zone: the caller checks with isTimeZone). */
  async setTimeZone(userId: string, zone: string, fromDate: string, now = Date.now()): Promise<void> {
    this.assertOwner(userId);
    this.writable();
    this.dayStore.setZone(fromDate, zone, now);
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

  /** One source's records since a time: of one of its accounts when given, else of all of them. */
  async recordsSince(userId: string, source: SourceId, kinds: readonly RecordKind[], since: number, account?: string): Promise<SummaryRecord[]> {
    this.assertOwner(userId);
    return this.records.since(source, kinds, since, account);
  }

  /** The newest glucose reading and the `span` of readings before it (see RecordStore.latestGlucose). */
  async latestGlucose(userId: string, span = 3 * 3_600_000, limit = 80): Promise<GlucosePoint[]> {
    this.assertOwner(userId);
    return this.records
      .latestGlucose(span, limit)
      .map((row) => ({ time: row.time, mgdl: Math.round(row.mgdl), trend: row.trend, status: row.status ?? undefined }));
  }

  async glucoseStats(userId: string, since: number, until: number): Promise<GlucoseStats> {
    this.assertOwner(userId);
    return glucoseStats(this.records.glucoseAggregate(since, until, TARGET_RANGE_MGDL.low, TARGET_RANGE_MGDL.high), since, until);
  }

  /** "Delete my data" for one source (or one of its accounts); returns how many records were deleted. */
  async deleteRecords(userId: string, source: SourceId, account?: string): Promise<number> {
    this.assertOwner(userId);
    return this.records.deleteSource(source, account);
  }

  // --- Live streams (any adapter with `live`) ------------------------------------------------------------------

  /** Starts (or restarts) a source's live stream: the first look happens right away, then on its own cadence. */
  async startLive(userId: string, source: SourceId): Promise<void> {
    this.assertOwner(userId);
    const stream = this.live.get(source);
    if (!stream) throw new Error(`${source} has no live stream`);
    stream.start();
    await this.schedule(source, Date.now());
  }

  private async stopLive(source: SourceId): Promise<void> {
    const stream = this.live.get(source);
    if (!stream) return;
    stream.stop();
    await this.schedule(source, null);
    for (const socket of this.ctx.getWebSockets(liveTag(source))) socket.close(1000, `${catalogEntry(source).vendor} disconnected`);
  }

  /** Records when `source` wants its next look (null: never) and sets the alarm to the earliest look due. */
  private async schedule(source: SourceId, due: number | null): Promise<void> {
    const sql = this.ctx.storage.sql;
    if (due === null) sql.exec("DELETE FROM live_schedule WHERE source = ?", source);
    else sql.exec("INSERT INTO live_schedule (source, due) VALUES (?, ?) ON CONFLICT(source) DO UPDATE SET due = excluded.due", source, due);
    await this.rearm();
  }

  /**
   * The object has one alarm: the earliest of the live streams' looks, the next day's 72-hour deadline and a retry
   * of unsent day messages. Live-written days waiting for a recompute ride on the streams' alarms (at least every
   * 30 minutes while one runs) and add a wake-up of their own only when none does.
   */
  private async rearm(): Promise<void> {
    const live = this.ctx.storage.sql.exec<{ due: number | null }>("SELECT min(due) AS due FROM live_schedule").toArray()[0]?.due ?? null;
    const candidates = [live, this.meta("days_deadline"), this.meta("days_retry"), live === null && this.schema.ok ? this.dayStore.nextLiveRecompute() : null];
    const next = candidates.reduce<number | null>((earliest, due) => (due === null ? earliest : earliest === null ? due : Math.min(earliest, due)), null);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /**
   * The alarm is the live streams' clock: it ticks every stream that is due. Whatever a tick does (streams handle
   * their provider's failures themselves, but storage or a bug could still throw), the stream's next look is set
   * before this returns, unless it was stopped. The error is logged, not rethrown: a rethrow would also have the
   * platform retry the alarm within seconds, on top of ours.
   */
  override async alarm(): Promise<void> {
    // Also the daily picture's clock: see settleDays and rearm.
    const userId = this.owner();
    const now = Date.now();
    const due = this.ctx.storage.sql
      .exec<{ source: string }>("SELECT source FROM live_schedule WHERE due <= ?", now + LIVE_DUE_MARGIN_MS)
      .toArray()
      .map((row) => SourceId.safeParse(row.source))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []));
    for (const source of due) {
      const stream = this.live.get(source);
      let result: LiveTick | null = null;
      try {
        if (userId && stream?.enabled) result = await stream.tick(userId);
      } catch (error) {
        console.error(JSON.stringify({ event: "live_stream_alarm_failed", source, name: error instanceof Error ? error.name : typeof error }));
      }
      const next = result ? result.nextAlarmAt : stream?.enabled ? Date.now() + LIVE_RETRY_MS : null;
      await this.schedule(source, stream?.enabled ? next : null);
      if (result && result.newReadings > 0) this.pushLive(source);
    }
    if (userId) await this.settleDays(userId);
    // A look not yet due (another stream's alarm woke the object) keeps its own time.
    await this.rearm();
  }

  /** Sends a stream's current fragment to every open page (hibernatable WebSockets: no cost while idle). */
  private pushLive(source: SourceId): void {
    const sockets = this.ctx.getWebSockets(liveTag(source));
    const stream = this.live.get(source);
    if (sockets.length === 0 || !stream) return;
    const html = stream.fragment(Date.now());
    for (const socket of sockets) {
      try {
        socket.send(html);
      } catch {
        // A socket closing as we send: the close handler cleans up.
      }
    }
  }

  /** A page opening a live view (/live/<source>): upgrade to a hibernatable WebSocket and send the current state at once. */
  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get("X-Wellness-User");
    if (request.headers.get("Upgrade") !== "websocket" || !userId) return new Response("expected a WebSocket upgrade", { status: 426 });
    const source = SourceId.safeParse(new URL(request.url).pathname.split("/").pop());
    const stream = source.success ? this.live.get(source.data) : undefined;
    if (!source.success || !stream) return new Response("no live view for this source", { status: 404 });
    this.assertOwner(userId);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [liveTag(source.data)]);
    server.send(stream.fragment(Date.now()));
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
