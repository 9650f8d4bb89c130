import type { NormalizedRecord } from "../domain/records";

/** Each statement carries its rows as one JSON parameter, kept well under D1's 2 MB value limit. */
const MAX_CHUNK_BYTES = 800_000;

// One statement per chunk, however many rows: D1 allows 100 bound parameters per statement, so binding columns
// row by row would need a statement per handful of records; json_each takes them all as one parameter.
// Unchanged records are not rewritten (the DO UPDATE's WHERE), so replaying a sync changes nothing.
const UPSERT_SQL = `
INSERT INTO health_records (id, user_id, source_id, kind, external_id, start_time, end_time, data, raw, updated_at)
SELECT 'rec_' || lower(hex(randomblob(16))), ?2, ?3, r.value ->> 'kind', r.value ->> 'externalId', r.value ->> 'startTime',
       r.value ->> 'endTime', r.value ->> 'data', r.value ->> 'raw', ?4
FROM json_each(?1) AS r
WHERE true
ON CONFLICT (user_id, source_id, kind, external_id) DO UPDATE SET
  start_time = excluded.start_time, end_time = excluded.end_time, data = excluded.data, raw = excluded.raw, updated_at = excluded.updated_at
WHERE health_records.data IS NOT excluded.data OR health_records.raw IS NOT excluded.raw
   OR health_records.start_time IS NOT excluded.start_time OR health_records.end_time IS NOT excluded.end_time`;

export interface UpsertResult {
  /** Records inserted or changed. */
  written: number;
  /** Records already stored exactly as they are. */
  unchanged: number;
  /** D1 round trips used (one batch, however many statements). */
  roundTrips: number;
  statements: number;
}

function serialize(record: NormalizedRecord): string {
  return JSON.stringify({
    kind: record.kind,
    externalId: record.externalId,
    startTime: record.startTime,
    endTime: record.endTime,
    // Stored as JSON text columns; json_each's ->> hands back exactly these strings.
    data: JSON.stringify(record.data),
    raw: record.raw === undefined ? null : JSON.stringify(record.raw),
  });
}

/**
 * Upserts records for one user and source in a single D1 batch (one round trip, one transaction): a page is
 * written whole or not at all. Duplicates within the input collapse to the last one, like repeated deliveries.
 */
export async function upsertRecords(d1: D1Database, userId: string, source: string, records: readonly NormalizedRecord[], now = Date.now()): Promise<UpsertResult> {
  const unique = new Map<string, NormalizedRecord>();
  for (const record of records) unique.set(`${record.kind}\u0000${record.externalId}`, record);
  if (unique.size === 0) return { written: 0, unchanged: 0, roundTrips: 0, statements: 0 };

  const chunks: string[][] = [[]];
  let size = 0;
  for (const record of unique.values()) {
    const row = serialize(record);
    if (size + row.length > MAX_CHUNK_BYTES && chunks.at(-1)!.length > 0) {
      chunks.push([]);
      size = 0;
    }
    chunks.at(-1)!.push(row);
    size += row.length + 1;
  }
  const statement = d1.prepare(UPSERT_SQL);
  const results = await d1.batch(chunks.map((rows) => statement.bind(`[${rows.join(",")}]`, userId, source, now)));
  const written = results.reduce((sum, result) => sum + (result.meta.changes ?? 0), 0);
  return { written, unchanged: unique.size - written, roundTrips: 1, statements: chunks.length };
}
