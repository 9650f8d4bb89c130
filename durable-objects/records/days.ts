import { and, asc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import {
  type DayRecord,
  type DaySummary,
  dailyPicture,
  datesByQuarterHour,
  datesTouched,
  type GlucoseSums,
  PICTURE_KINDS,
  PICTURE_MARGIN_MS,
  SETTLE_MS,
} from "../../src/days/picture";
import { METRICS, type Metric } from "../../src/days/precedence";
import { addDays, dateOf, dayWindow, type ZoneSpan } from "../../src/days/zone";
import { TARGET_RANGE_MGDL } from "../../views/glucose";
import type { RecordInput } from "./rows";
import { daySources, daySummaries, dayZones, records } from "./schema";

/** A day whose stored summary changed and has not yet been sent on the days queue. */
export interface DayUpdate {
  date: string;
  digest: string;
  final: boolean;
  summary: DaySummary;
}

/** A short stable hash of a summary's JSON (cyrb53): equal summaries, equal digests; a change changes it. */
function digestOf(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** A day a live stream wrote into is recomputed at most this often (a reading comes every five minutes). */
export const LIVE_RECOMPUTE_MS = 15 * 60_000;

const hasAnything = (day: DaySummary) =>
  day.sleep !== null ||
  day.naps.length > 0 ||
  day.readiness !== null ||
  day.activity !== null ||
  day.resting_heart_rate !== null ||
  day.hrv !== null ||
  day.glucose !== null ||
  day.weight !== null ||
  day.workouts.length > 0;

/**
 * The daily picture inside the person's UserHub: computes days from their records (src/days/picture.ts), keeps
 * each day's last summary and digest, freezes final days, and says which days owe a "day updated" message.
 */
export class DayStore {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly db: DrizzleSqliteDODatabase<Record<string, never>>,
  ) {}

  zones(): ZoneSpan[] {
    return this.db.select({ from: dayZones.fromDate, zone: dayZones.zone }).from(dayZones).orderBy(asc(dayZones.fromDate)).all();
  }

  /** The person is in `zone` from `fromDate` on; earlier days keep the zone they had. */
  setZone(fromDate: string, zone: string, now: number): void {
    this.db
      .insert(dayZones)
      .values({ fromDate, zone, updatedAt: now })
      .onConflictDoUpdate({ target: dayZones.fromDate, set: { zone, updatedAt: now } })
      .run();
  }

  overrides(): Partial<Record<Metric, string>> {
    const rows = this.db.select({ metric: daySources.metric, source: daySources.source }).from(daySources).all();
    return Object.fromEntries(rows.filter((row) => (METRICS as readonly string[]).includes(row.metric)).map((row) => [row.metric, row.source]));
  }

  /** The person's source for a metric; null goes back to the default precedence. */
  setOverride(metric: Metric, source: string | null, now: number): void {
    if (source === null) this.db.delete(daySources).where(eq(daySources.metric, metric)).run();
    else
      this.db
        .insert(daySources)
        .values({ metric, source, updatedAt: now })
        .onConflictDoUpdate({ target: daySources.metric, set: { source, updatedAt: now } })
        .run();
  }

  private records(from: number, to: number): DayRecord[] {
    return this.db
      .select({ id: records.id, source: records.source, kind: records.kind, startTime: records.startTime, endTime: records.endTime, data: records.data })
      .from(records)
      .where(and(inArray(records.kind, [...PICTURE_KINDS]), gte(records.startTime, from), lte(records.startTime, to)))
      .all();
  }

  private glucose(start: number, end: number): GlucoseSums[] {
    const value = sql<number>`(${records.data} ->> '$.blood_glucose.value')`;
    return this.db
      .select({
        source: records.source,
        n: sql<number>`count(*)`,
        mean: sql<number | null>`avg(${value})`,
        below: sql<number | null>`sum(${value} < ${TARGET_RANGE_MGDL.low})`,
        above: sql<number | null>`sum(${value} > ${TARGET_RANGE_MGDL.high})`,
      })
      .from(records)
      .where(and(eq(records.kind, "glucose_reading"), gte(records.startTime, start), sql`${records.startTime} < ${end}`))
      .groupBy(records.source)
      .all();
  }

  /** Each source's newest record time, looking back only as far as finality can still depend on it. */
  private latest(sources: readonly string[], now: number): Record<string, number> {
    const latest: Record<string, number> = {};
    for (const source of sources) {
      const row = this.storage.sql
        .exec<{ t: number }>(
          "SELECT start_time AS t FROM records WHERE source = ? AND start_time >= ? ORDER BY start_time DESC LIMIT 1",
          source,
          now - SETTLE_MS - 2 * 86_400_000,
        )
        .toArray()[0];
      if (row) latest[source] = row.t;
    }
    return latest;
  }

  /**
   * The days from `from` to `to` (both included): final days as stored, the others computed now and stored when
   * they changed. Returns the days and those owing a message (changed and not yet announced).
   */
  days(from: string, to: string, connected: readonly string[], now: number, only?: ReadonlySet<string>): { days: DaySummary[]; owed: DayUpdate[] } {
    const stored = new Map(
      this.db
        .select()
        .from(daySummaries)
        .where(and(gte(daySummaries.date, from), lte(daySummaries.date, to)))
        .all()
        .map((row) => [row.date, row]),
    );
    const zones = this.zones();
    // Final days are served as stored; only the others are computed, from the records around them.
    const open = new Set<string>();
    for (let date = from; date <= to; date = addDays(date, 1)) if (!stored.get(date)?.final && (!only || only.has(date))) open.add(date);
    const glucose = new Map<string, GlucoseSums[]>();
    for (const date of open) {
      const window = dayWindow(date, zones);
      glucose.set(date, this.glucose(window.start, window.end));
    }
    const openDates = [...open];
    const first = openDates.length > 0 ? dayWindow(openDates[0]!, zones) : null;
    const last = openDates.length > 0 ? dayWindow(openDates.at(-1)!, zones) : null;
    const computed = new Map(
      (first && last
        ? dailyPicture({
            from: openDates[0]!,
            to: openDates.at(-1)!,
            only: open,
            zones,
            records: this.records(first.start - PICTURE_MARGIN_MS, last.end + PICTURE_MARGIN_MS),
            glucose,
            overrides: this.overrides(),
            connected,
            latest: this.latest(connected, now),
            now,
          })
        : []
      ).map((day) => [day.date, day]),
    );
    const days: DaySummary[] = [];
    const owed: DayUpdate[] = [];
    this.storage.transactionSync(() => {
      for (let date = from; date <= to; date = addDays(date, 1)) {
        const row = stored.get(date);
        const day = computed.get(date);
        if (!day) {
          if (row) days.push(JSON.parse(row.summary) as DaySummary);
          continue;
        }
        days.push(day);
        const text = JSON.stringify(day);
        const digest = digestOf(text);
        if (!row && !hasAnything(day)) continue;
        if (row?.digest !== digest) {
          this.db
            .insert(daySummaries)
            .values({ date: day.date, summary: text, digest, announced: null, final: day.final, updatedAt: now })
            .onConflictDoUpdate({ target: daySummaries.date, set: { summary: text, digest, final: day.final, updatedAt: now } })
            .run();
        }
        if (row?.announced !== digest) owed.push({ date: day.date, digest, final: day.final, summary: day });
      }
    });
    return { days, owed };
  }

  /** The days the picture's records among `rows` can change. */
  private touched(rows: readonly RecordInput[], zones: readonly ZoneSpan[]): Set<string> {
    const dates = new Set<string>();
    const dateAt = datesByQuarterHour(zones);
    for (const row of rows) {
      if (!(PICTURE_KINDS as readonly string[]).includes(row.kind) && row.kind !== "glucose_reading") continue;
      for (const date of datesTouched(row, zones, dateAt)) dates.add(date);
    }
    return dates;
  }

  private recompute(dates: ReadonlySet<string>, connected: readonly string[], now: number): DayUpdate[] {
    if (dates.size === 0) return [];
    const sorted = [...dates].sort();
    return this.days(sorted[0]!, sorted.at(-1)!, connected, now, dates).owed;
  }

  private openDates(): string[] {
    return this.db
      .select({ date: daySummaries.date })
      .from(daySummaries)
      .where(eq(daySummaries.final, false))
      .orderBy(asc(daySummaries.date))
      .all()
      .map((row) => row.date);
  }

  /**
   * Every stored day whose message is owed (changed since it was last sent, or never sent), final days included:
   * a final day is never recomputed, so this is what sends it again after a failed send.
   */
  owed(): DayUpdate[] {
    return this.db
      .select()
      .from(daySummaries)
      .where(sql`${daySummaries.announced} IS NOT ${daySummaries.digest}`)
      .orderBy(asc(daySummaries.date))
      .all()
      .map((row) => ({ date: row.date, digest: row.digest, final: row.final, summary: JSON.parse(row.summary) as DaySummary }));
  }

  /**
   * After a batch: the days its records can change, plus every stored day not yet final (a later record from one
   * source can make a day final; so can the clock), recomputed in one read; and any day still owed a message.
   */
  afterWrite(rows: readonly RecordInput[], connected: readonly string[], now: number): DayUpdate[] {
    const dates = this.touched(rows, this.zones());
    for (const date of this.openDates()) dates.add(date);
    const updates = this.recompute(dates, connected, now);
    const included = new Set(updates.map((update) => update.date));
    return [...updates, ...this.owed().filter((update) => !included.has(update.date))];
  }

  /** When the earliest day not yet final becomes final by the clock (72 h after its end), or null when none is open. */
  nextDeadline(): number | null {
    const first = this.openDates()[0];
    return first === undefined ? null : dayWindow(first, this.zones()).end + SETTLE_MS;
  }

  /** A live stream wrote `rows`: their days are recomputed on the object's next alarm, at most every LIVE_RECOMPUTE_MS. */
  liveWrote(rows: readonly RecordInput[]): void {
    for (const date of this.touched(rows, this.zones())) {
      this.storage.sql.exec("INSERT INTO day_live (date, recomputed_at, dirty) VALUES (?, NULL, 1) ON CONFLICT(date) DO UPDATE SET dirty = 1", date);
    }
  }

  /** When the next live-written day may be recomputed, or null when none waits. */
  nextLiveRecompute(): number | null {
    return (
      this.storage.sql
        .exec<{ at: number | null }>("SELECT min(coalesce(recomputed_at, 0) + ?) AS at FROM day_live WHERE dirty = 1", LIVE_RECOMPUTE_MS)
        .toArray()[0]?.at ?? null
    );
  }

  /**
   * On the object's alarm: the days past their 72-hour deadline (made final now) and the live-written days whose
   * wait is over, recomputed in one read. Returns every day owed a message.
   */
  settle(connected: readonly string[], now: number): DayUpdate[] {
    const zones = this.zones();
    const dates = new Set(this.openDates().filter((date) => dayWindow(date, zones).end + SETTLE_MS <= now));
    const live = this.storage.sql
      .exec<{ date: string }>("SELECT date FROM day_live WHERE dirty = 1 AND coalesce(recomputed_at, 0) + ? <= ?", LIVE_RECOMPUTE_MS, now)
      .toArray()
      .map((row) => row.date);
    for (const date of live) dates.add(date);
    this.recompute(dates, connected, now);
    for (const date of live) this.storage.sql.exec("UPDATE day_live SET recomputed_at = ?, dirty = 0 WHERE date = ?", now, date);
    // Older days are final or nearly: their live bookkeeping is over.
    this.storage.sql.exec("DELETE FROM day_live WHERE dirty = 0 AND date < ?", addDays(dateOf(now, zones), -4));
    return this.owed();
  }

  /** Days sent on the days queue: only a digest still current is marked, so a newer change stays owed. */
  announced(updates: readonly { date: string; digest: string }[]): void {
    for (const update of updates) {
      this.db
        .update(daySummaries)
        .set({ announced: update.digest })
        .where(and(eq(daySummaries.date, update.date), eq(daySummaries.digest, update.digest)))
        .run();
    }
  }
}
