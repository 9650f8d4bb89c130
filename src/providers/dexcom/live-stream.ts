import { GlucoseLive, type GlucosePoint, READING_INTERVAL_MS } from "../../../views/glucose";
import { database } from "../../db/client";
import { recordSyncSuccess, updateConnectionStatus } from "../../db/connections";
import { MalformedPayloadError, type NormalizedRecord } from "../../domain/records";
import { ProviderUnavailableError } from "../../oauth/errors";
import { AccessRevokedError, SubrequestBudget } from "../../sync/pull-context";
import { type AccessTokens, openProviderCalls } from "../calls";
import type { LiveStream, LiveTick, RecordSink } from "../types";
import { dexcomContext, getCalibrations, getDataRange, getEgvs, getEvents } from "./api";
import { dexcomDelayMs, dexcomHost } from "./auth";
import { normalizeDexcom } from "./normalize";

const HOUR_MS = 3_600_000;
/** The stream keeps a day of readings in its live window; every reading also goes to the person's record store. */
/** How often a healthy stream updates its connection's sync time in D1. */
const SUCCESS_RECORD_INTERVAL_MS = 30 * 60_000;
export const RECENT_WINDOW_MS = 24 * HOUR_MS;
/** Re-read this far behind the newest stored reading, to pick up late and out-of-order readings. */
const OVERLAP_MS = 30 * 60_000;
/**
 * A hole this far behind the newest stored reading is re-read while new readings arrive: a phone that was out of
 * reach uploads its backfill (G6: up to 3 h) possibly after newer readings. It is also the card's sparkline span.
 * Older holes are left to the hourly sync, which re-reads a day into the record store.
 */
const BACKFILL_LOOKBACK_MS = 3 * HOUR_MS;
const MIN_ALARM_DELAY_MS = 60_000;
const MAX_BACKOFF_MS = 30 * 60_000;
/** The live card's sparkline: the newest reading and the hours before it. */
const SPARKLINE_MS = 3 * HOUR_MS;

export interface StreamTiming {
  latestReadingAt: number | null;
  failures: number;
  retryAfterSeconds: number | null;
}

/**
 * When to look again. Healthy: when the reading after the newest one should be visible (its time + one interval
 * + Dexcom's delay + a minute's margin), or one interval from now if that moment has passed. Failing: exponential
 * backoff from five minutes to thirty, or exactly what Dexcom asked for with Retry-After.
 */
export function nextAlarmAt(timing: StreamTiming, now: number, delayMs: number): number {
  if (timing.retryAfterSeconds !== null) return now + Math.max(MIN_ALARM_DELAY_MS, timing.retryAfterSeconds * 1000);
  if (timing.failures > 0) return now + Math.min(MAX_BACKOFF_MS, READING_INTERVAL_MS * 2 ** (timing.failures - 1));
  if (timing.latestReadingAt === null) return now + READING_INTERVAL_MS;
  const expected = timing.latestReadingAt + READING_INTERVAL_MS + delayMs + MIN_ALARM_DELAY_MS;
  return expected > now + MIN_ALARM_DELAY_MS ? expected : now + READING_INTERVAL_MS;
}

interface Row extends Record<string, SqlStorageValue> {
  record_id: string;
  system_time: number;
  mgdl: number;
  trend: string;
  status: string | null;
}

/**
 * The live Dexcom stream inside the user's Durable Object. State is in the object's storage, never only in
 * memory, so it carries on across evictions and restarts: whether it runs, the newest reading, failures, the
 * last day of readings. Each tick asks `dataRange` what exists, fetches only what is new (with an overlap),
 * dedupes by Dexcom's record id, writes every new reading to the person's record store (in this same object), and
 * hands them to live pages.
 */
export class DexcomStream implements LiveStream {
  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly tokens: AccessTokens,
    private readonly records: RecordSink,
    private readonly options: { fetch?: typeof fetch } = {},
  ) {}

  private get(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM dexcom_stream WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private set(key: string, value: string | number | null): void {
    if (value === null) this.sql.exec("DELETE FROM dexcom_stream WHERE key = ?", key);
    else this.sql.exec("INSERT INTO dexcom_stream (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, String(value));
  }

  get enabled(): boolean {
    return this.get("enabled") === "1";
  }

  start(): void {
    this.set("enabled", "1");
    this.set("failures", 0);
    // A (re)started stream tells D1 on its first good look, whatever it recorded before.
    this.set("success_recorded_at", null);
  }

  /** Stops the stream and forgets its live window (the readings stay in the record store unless the person deletes them). */
  stop(): void {
    this.sql.exec("DELETE FROM dexcom_stream");
    this.sql.exec("DELETE FROM glucose_recent");
  }

  /** The stream was stopped while a tick waited on Dexcom or D1: the tick must leave nothing behind. */
  private stopped(): LiveTick {
    return { nextAlarmAt: null, newReadings: 0, skipped: 0, error: null };
  }

  /**
   * Where to start re-reading readings: half an hour before the newest stored one, or earlier where the last
   * hours have a hole (a missing reading), so a backfill that lands after newer readings still fills it.
   */
  private rereadFrom(latestStored: number): number {
    const from = latestStored - BACKFILL_LOOKBACK_MS;
    const overlap = latestStored - OVERLAP_MS;
    let previous = this.sql.exec<{ t: number | null }>("SELECT max(system_time) AS t FROM glucose_recent WHERE system_time < ?", from).toArray()[0]?.t ?? null;
    const times = this.sql.exec<{ t: number }>("SELECT system_time AS t FROM glucose_recent WHERE system_time >= ? ORDER BY system_time", from).toArray();
    for (const { t } of times) {
      if (previous !== null && t - previous > READING_INTERVAL_MS * 1.5) return Math.min(Math.max(previous, from), overlap);
      previous = t;
    }
    return overlap;
  }

  private timing(): StreamTiming {
    const latest = this.sql.exec<{ t: number | null }>("SELECT max(system_time) AS t FROM glucose_recent").toArray()[0]?.t ?? null;
    return { latestReadingAt: latest, failures: Number(this.get("failures") ?? 0), retryAfterSeconds: null };
  }

  private recent(since: number): GlucosePoint[] {
    return this.sql
      .exec<Row>("SELECT * FROM glucose_recent WHERE system_time >= ? ORDER BY system_time", since)
      .toArray()
      .map((row) => ({ time: row.system_time, mgdl: row.mgdl, trend: row.trend, status: row.status ?? undefined }));
  }

  /** One look at Dexcom. Never throws: a failure is counted and the next alarm backs off. */
  async tick(userId: string, now = Date.now()): Promise<LiveTick> {
    const delayMs = dexcomDelayMs(this.env);
    if (!this.enabled) return this.stopped();
    const calls = await openProviderCalls({
      env: this.env,
      userId,
      source: "dexcom",
      tokens: this.tokens,
      budget: new SubrequestBudget(20),
      externalUserId: null,
      now,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    }).catch(() => ({ ok: false as const, reason: "unavailable" as const, retryAfterSeconds: null }));
    if (!calls.ok) {
      if (calls.reason !== "unavailable") {
        // The vault already marked the connection needs_reauth (or it has no tokens): stop until reconnected.
        this.stop();
        return { nextAlarmAt: null, newReadings: 0, skipped: 0, error: "needs reconnecting" };
      }
      return this.failed(now, delayMs, "Dexcom did not renew access", calls.retryAfterSeconds);
    }

    const dexcom = dexcomContext(calls.ctx, dexcomHost(this.env));

    try {
      const range = await getDataRange(dexcom);
      const latestStored = this.timing().latestReadingAt;
      const records: NormalizedRecord[] = [];
      const skipped: string[] = [];
      const take = (kind: "egvs" | "calibrations" | "events", body: unknown) => {
        const result = normalizeDexcom(kind, body);
        records.push(...result.records);
        skipped.push(...result.skipped.map((item) => item.reason));
      };

      if (range.egvs && (latestStored === null || range.egvs.end > latestStored)) {
        // Fill any gap since the newest reading we hold, up to a day; the hourly sync covers longer outages.
        const start = Math.max(range.egvs.end - RECENT_WINDOW_MS, latestStored === null ? range.egvs.start : this.rereadFrom(latestStored));
        take("egvs", await getEgvs(dexcom, { start, end: range.egvs.end + 1000 }));
      }
      // Calibrations and events are asked for only when dataRange says something new of that kind exists: each
      // request counts against Dexcom's hourly app limit. Each kind keeps its own mark: a calibration entered on a
      // receiver may reach Dexcom after an event logged later on the phone.
      const through: Partial<Record<"calibrations" | "events", number>> = {};
      for (const kind of ["calibrations", "events"] as const) {
        const span = range[kind];
        const seen = Number(this.get(`${kind}_through`) ?? 0);
        if (span && span.end > seen) {
          take(
            kind,
            await getCalibrationsOrEvents(kind, dexcom, { start: Math.max(span.start, span.end - RECENT_WINDOW_MS, seen - OVERLAP_MS), end: span.end + 1000 }),
          );
          through[kind] = span.end;
        }
      }

      // Disconnected while Dexcom answered: write nothing (the person may have asked for their data to be deleted).
      if (!this.enabled) return this.stopped();
      // The record store first: if that write fails, the stream has not moved on, and the next tick fetches them again.
      if (records.length > 0) this.records.put("dexcom", records, now);
      const newReadings = this.remember(records, now);
      for (const [kind, end] of Object.entries(through)) this.set(`${kind}_through`, end);
      if (skipped.length > 0) {
        // Recorded with the reason (never the reading itself): Dexcom sent something we could not use.
        console.warn(JSON.stringify({ event: "dexcom_stream_skipped", count: skipped.length, reasons: [...new Set(skipped)].slice(0, 5) }));
      }
      // D1 hears of a healthy stream at most every half hour (the card's freshness comes from the readings, sent
      // over the live view), and at once when it recovers: a write per five-minute tick would be 288 D1 writes per
      // person-day for nothing the page shows.
      const recordedAt = Number(this.get("success_recorded_at") ?? 0);
      if (Number(this.get("failures") ?? 0) > 0 || now - recordedAt >= SUCCESS_RECORD_INTERVAL_MS || now < recordedAt) {
        await recordSyncSuccess(database(this.env.DB), { userId, sourceId: "dexcom" }, { now });
        this.set("success_recorded_at", now);
      }
      this.set("failures", 0);
      return { nextAlarmAt: nextAlarmAt(this.timing(), now, delayMs), newReadings, skipped: skipped.length, error: null };
    } catch (error) {
      if (error instanceof AccessRevokedError) {
        await updateConnectionStatus(
          database(this.env.DB),
          userId,
          "dexcom",
          "needs_reauth",
          "Dexcom refused Wellness OS's access. Reconnect to resume live glucose.",
        );
        this.stop();
        return { nextAlarmAt: null, newReadings: 0, skipped: 0, error: "access revoked" };
      }
      if (error instanceof ProviderUnavailableError) {
        return this.failed(
          now,
          delayMs,
          error.reason === "rate_limited" ? "Dexcom asked us to slow down" : "Dexcom did not answer properly",
          error.retryAfterSeconds,
        );
      }
      if (error instanceof MalformedPayloadError) return this.failed(now, delayMs, "Dexcom sent data in an unexpected form", null);
      return this.failed(now, delayMs, "the stream failed unexpectedly", null);
    }
  }

  private failed(now: number, delayMs: number, error: string, retryAfterSeconds: number | null): LiveTick {
    if (!this.enabled) return this.stopped();
    const failures = Number(this.get("failures") ?? 0) + 1;
    this.set("failures", failures);
    console.warn(JSON.stringify({ event: "dexcom_stream_failed", failures, error }));
    return { nextAlarmAt: nextAlarmAt({ ...this.timing(), failures, retryAfterSeconds }, now, delayMs), newReadings: 0, skipped: 0, error };
  }

  /**
   * The newest reading and the sparkline's hours before it, however long ago that was: the object keeps the last
   * day of readings it received, so a page can say how old the last one is when readings have stopped.
   */
  fragment(now: number): string {
    const held = this.recent(0);
    const newest = held.at(-1)?.time ?? now;
    const points = held.filter((p) => p.time >= newest - SPARKLINE_MS);
    return String(GlucoseLive({ points, now, delayMs: dexcomDelayMs(this.env) }));
  }

  /** Stores glucose readings (deduped by record id), drops those older than a day; returns how many were new. */
  private remember(records: NormalizedRecord[], now: number): number {
    const readings = records.filter((record) => record.kind === "glucose_reading");
    if (readings.length === 0) return 0;
    const oldest = Math.min(...readings.map((record) => record.startTime));
    const known = new Set(
      this.sql
        .exec<{ record_id: string }>("SELECT record_id FROM glucose_recent WHERE system_time >= ?", oldest - RECENT_WINDOW_MS)
        .toArray()
        .map((row) => row.record_id),
    );
    let fresh = 0;
    for (const record of readings) {
      const data = record.data as { blood_glucose: { value: number }; trend: string; status?: string };
      if (!known.has(record.externalId)) fresh++;
      known.add(record.externalId);
      this.sql.exec(
        `INSERT INTO glucose_recent (record_id, system_time, mgdl, trend, status) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(record_id) DO UPDATE SET system_time = excluded.system_time, mgdl = excluded.mgdl, trend = excluded.trend, status = excluded.status`,
        record.externalId,
        record.startTime,
        Math.round(data.blood_glucose.value),
        data.trend,
        data.status ?? null,
      );
    }
    const latest = this.timing().latestReadingAt ?? now;
    this.sql.exec("DELETE FROM glucose_recent WHERE system_time < ?", latest - RECENT_WINDOW_MS);
    return fresh;
  }
}

function getCalibrationsOrEvents(kind: "calibrations" | "events", ctx: Parameters<typeof getEvents>[0], window: { start: number; end: number }) {
  return kind === "calibrations" ? getCalibrations(ctx, window) : getEvents(ctx, window);
}
