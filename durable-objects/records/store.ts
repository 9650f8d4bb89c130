import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { RecordKind } from "../../src/domain/records";
import { chunkRows, type RecordInput } from "./rows";
import { type RecordRow, records } from "./schema";

/** One statement's JSON parameter stays well under SQLite's 2 MB string limit in a Durable Object. */
const STATEMENT_CHARS = 1_000_000;

// One statement per chunk, however many rows: a Durable Object's SQLite allows 100 bound parameters per
// statement, and json_each takes the rows as one. Unchanged records are not rewritten (the DO UPDATE's WHERE),
// so a replay changes nothing and `changes()` counts only what was written.
const UPSERT_SQL = `
INSERT INTO records (source, account, kind, external_id, start_time, end_time, data, raw, updated_at)
SELECT ?2, ?4, r.value ->> 'kind', r.value ->> 'externalId', r.value ->> 'startTime', r.value ->> 'endTime',
       r.value ->> 'data', r.value ->> 'raw', coalesce(r.value ->> 'updatedAt', ?3)
FROM json_each(?1) AS r
WHERE true
ON CONFLICT (source, account, kind, external_id) DO UPDATE SET
  start_time = excluded.start_time, end_time = excluded.end_time, data = excluded.data, raw = excluded.raw, updated_at = excluded.updated_at
WHERE records.data IS NOT excluded.data OR records.raw IS NOT excluded.raw
   OR records.start_time IS NOT excluded.start_time OR records.end_time IS NOT excluded.end_time`;

// Moving rows in from D1: what the object already holds was written later, so it wins.
const IMPORT_SQL = `
INSERT INTO records (source, account, kind, external_id, start_time, end_time, data, raw, updated_at)
SELECT ?2, ?4, r.value ->> 'kind', r.value ->> 'externalId', r.value ->> 'startTime', r.value ->> 'endTime',
       r.value ->> 'data', r.value ->> 'raw', coalesce(r.value ->> 'updatedAt', ?3)
FROM json_each(?1) AS r
WHERE true
ON CONFLICT (source, account, kind, external_id) DO NOTHING`;

export interface WriteCounts {
  /** Records inserted or changed. */
  written: number;
  /** Of those, records the store did not hold before (new rows): what `npm run bench:scale` checks stored counts against. */
  inserted: number;
  /** Records already stored exactly as they are. */
  unchanged: number;
}

export interface RecordQuery {
  kind?: RecordKind | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Keyset: records after (start_time, id). */
  after?: { startTime: number; id: number } | undefined;
  limit: number;
}

export type ListedRecord = Omit<RecordRow, "raw">;

/** The columns the daily summaries and the health-records view fold (the account says which health system). */
export type SummaryRecord = Pick<RecordRow, "account" | "kind" | "startTime" | "endTime" | "data">;

interface GlucoseRow {
  time: number;
  mgdl: number;
  trend: string;
  status: string | null;
}

/** Sums over a period of glucose readings, split at the target range's limits. */
export interface GlucoseAggregate {
  n: number;
  mean: number | null;
  below: number | null;
  above: number | null;
}

/**
 * The person's record store, inside their UserHub: Drizzle over the object's SQLite for reads and deletes, one
 * json_each statement per chunk for the bulk upsert. Every call is synchronous (the object's SQLite is local),
 * so a batch's statements run in one transaction and no other request interleaves.
 */
export class RecordStore {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly db: DrizzleSqliteDODatabase<Record<string, never>>,
  ) {}

  /** Upserts one connection's rows, all or nothing. Duplicates within the input collapse to the last one. */
  put(source: string, rows: readonly RecordInput[], now: number, account = ""): WriteCounts {
    return this.write(UPSERT_SQL, source, account, rows, now);
  }

  /** Inserts rows moved from elsewhere, keeping any the store already holds. */
  import(source: string, rows: readonly RecordInput[], now: number): WriteCounts {
    return this.write(IMPORT_SQL, source, "", rows, now);
  }

  private write(statement: string, source: string, account: string, rows: readonly RecordInput[], now: number): WriteCounts {
    const unique = new Map<string, RecordInput>();
    for (const row of rows) unique.set(`${row.kind}\u0000${row.externalId}`, row);
    if (unique.size === 0) return { written: 0, inserted: 0, unchanged: 0 };
    const { written, inserted } = this.storage.transactionSync(() => {
      // Row ids only grow (the highest id plus one), so the rows above this one are the ones this batch inserted.
      const before = this.storage.sql.exec<{ id: number | null }>("SELECT max(id) AS id FROM records").one().id ?? 0;
      let changed = 0;
      for (const chunk of chunkRows([...unique.values()], STATEMENT_CHARS)) {
        this.storage.sql.exec(statement, JSON.stringify(chunk), source, now, account);
        changed += this.storage.sql.exec<{ n: number }>("SELECT changes() AS n").one().n;
      }
      return { written: changed, inserted: this.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM records WHERE id > ?", before).one().n };
    });
    return { written, inserted, unchanged: unique.size - written };
  }

  /** A page of records, oldest first, keyset on (start_time, id). */
  list(query: RecordQuery): ListedRecord[] {
    const { raw: _raw, ...columns } = getTableColumns(records);
    const conditions = [
      query.kind ? eq(records.kind, query.kind) : undefined,
      query.from !== undefined ? gte(records.startTime, query.from) : undefined,
      query.to !== undefined ? lt(records.startTime, query.to) : undefined,
      query.after
        ? or(gt(records.startTime, query.after.startTime), and(eq(records.startTime, query.after.startTime), gt(records.id, query.after.id)))
        : undefined,
    ];
    return this.db
      .select(columns)
      .from(records)
      .where(and(...conditions))
      .orderBy(asc(records.startTime), asc(records.id))
      .limit(query.limit)
      .all();
  }

  /** One source's records of the given kinds since a time (of one account, or all): what a detail view folds. */
  since(source: string, kinds: readonly RecordKind[], since: number, account?: string): SummaryRecord[] {
    return this.db
      .select({ account: records.account, kind: records.kind, startTime: records.startTime, endTime: records.endTime, data: records.data })
      .from(records)
      .where(
        and(
          eq(records.source, source),
          account !== undefined ? eq(records.account, account) : undefined,
          inArray(records.kind, [...kinds]),
          gte(records.startTime, since),
        ),
      )
      .all();
  }

  /**
   * The newest glucose reading and the `span` before it, however long ago that was (so a card can say how old
   * the last reading is), newest `limit` at most, oldest first.
   */
  latestGlucose(span: number, limit: number): GlucoseRow[] {
    const newest =
      this.db
        .select({ t: sql<number | null>`max(${records.startTime})` })
        .from(records)
        .where(eq(records.kind, "glucose_reading"))
        .get()?.t ?? null;
    if (newest === null) return [];
    return this.db
      .select({
        time: records.startTime,
        mgdl: sql<number>`${records.data} ->> '$.blood_glucose.value'`,
        trend: sql<string>`${records.data} ->> '$.trend'`,
        status: sql<string | null>`${records.data} ->> '$.status'`,
      })
      .from(records)
      .where(and(eq(records.kind, "glucose_reading"), gte(records.startTime, newest - span)))
      .orderBy(desc(records.startTime))
      .limit(limit)
      .all()
      .reverse();
  }

  /** Count, mean, and how many readings fell below `low` and above `high`, over [since, until). */
  glucoseAggregate(since: number, until: number, low: number, high: number): GlucoseAggregate {
    const value = sql<number>`(${records.data} ->> '$.blood_glucose.value')`;
    return this.db
      .select({
        n: sql<number>`count(*)`,
        mean: sql<number | null>`avg(${value})`,
        below: sql<number | null>`sum(${value} < ${low})`,
        above: sql<number | null>`sum(${value} > ${high})`,
      })
      .from(records)
      .where(and(eq(records.kind, "glucose_reading"), gte(records.startTime, since), lt(records.startTime, until)))
      .get()!;
  }

  /** Deletes every record of one source (of one of its accounts, when given); returns how many there were. */
  deleteSource(source: string, account?: string): number {
    return this.storage.transactionSync(() => {
      this.db
        .delete(records)
        .where(and(eq(records.source, source), account !== undefined ? eq(records.account, account) : undefined))
        .run();
      return this.storage.sql.exec<{ n: number }>("SELECT changes() AS n").one().n;
    });
  }
}
