import { describe, expect, it } from "vitest";
import { chunkRows, MAX_ROW_CHARS, toRecordInput } from "../../durable-objects/records/rows";
import type { NormalizedRecord } from "../../src/domain/records";

const sleep = (raw: unknown, extra = ""): NormalizedRecord =>
  ({
    kind: "daily_sleep",
    externalId: "n1",
    startTime: 1,
    endTime: null,
    data: { date: "2026-11-01", score: 80, note: extra },
    raw,
  }) as unknown as NormalizedRecord;

describe("a record's stored form", () => {
  it("leaves out a payload too large to keep beside its body, and refuses a body too large to store at all", () => {
    expect(toRecordInput(sleep({ id: "n1" }))?.raw).toBe('{"id":"n1"}');
    expect(toRecordInput(sleep({ blob: "x".repeat(MAX_ROW_CHARS) }))?.raw).toBeNull();
    expect(toRecordInput(sleep(null, "x".repeat(MAX_ROW_CHARS + 1)))).toBeNull();
  });

  it("splits a batch into groups under a size, in order, each row once", () => {
    const rows = Array.from({ length: 10 }, (_, i) => toRecordInput({ ...sleep({ i }), externalId: `n${i}` })!);
    const chunks = chunkRows(rows, 450);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(rows);
    for (const chunk of chunks)
      expect(chunk.reduce((sum, row) => sum + row.data.length + (row.raw?.length ?? 0) + row.externalId.length + 100, 0)).toBeLessThanOrEqual(450);
  });
});
