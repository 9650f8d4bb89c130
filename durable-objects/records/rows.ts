import { keepsRaw, type NormalizedRecord, type RecordKind } from "../../src/domain/records";

/**
 * A record as the record store takes it: the body and the provider's payload already JSON text (what the columns
 * hold, and what sizes a batch), the payload already left out where the kind does not keep it.
 */
export interface RecordInput {
  kind: RecordKind;
  externalId: string;
  startTime: number;
  endTime: number | null;
  data: string;
  raw: string | null;
  /** Only when moving rows that already have one (the D1 mover); otherwise the write's time. */
  updatedAt?: number;
}

/** SQLite in a Durable Object caps a string or row at 2 MB; a row stays under this, with room for the other columns. */
export const MAX_ROW_CHARS = 1_900_000;

/**
 * The stored form of a normalized record, or null when even its body alone is too large to store (nothing a
 * provider documents comes near; it is counted as skipped rather than failing the batch). A payload too large
 * to keep beside its body is left out.
 */
export function toRecordInput(record: NormalizedRecord): RecordInput | null {
  const data = JSON.stringify(record.data);
  if (data.length > MAX_ROW_CHARS) return null;
  let raw = keepsRaw(record.kind) && record.raw !== undefined && record.raw !== null ? JSON.stringify(record.raw) : null;
  if (raw !== null && data.length + raw.length > MAX_ROW_CHARS) raw = null;
  return { kind: record.kind, externalId: record.externalId, startTime: record.startTime, endTime: record.endTime, data, raw };
}

/** The JSON text length of a row: what it weighs in an RPC and in a statement's parameter. */
function rowChars(row: RecordInput): number {
  return row.data.length + (row.raw?.length ?? 0) + row.externalId.length + 100;
}

/** Splits rows into groups of at most `maxChars` (a row larger than that gets a group of its own). */
export function chunkRows<T extends RecordInput>(rows: readonly T[], maxChars: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const row of rows) {
    const chars = rowChars(row);
    if (current.length > 0 && size + chars > maxChars) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += chars;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
