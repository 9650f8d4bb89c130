import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { expect, it } from "vitest";
import { type RecordInput, toRecordInput } from "../../durable-objects/records/rows";
import { RecordStore } from "../../durable-objects/records/store";
import { type NormalizedRecord, RECORD_SHAPES } from "../../src/domain/records";
import { ouraSync } from "../../src/providers/oura/sync";
import { backfillWindows } from "../../src/sync/schedule";
import { pullAll, sandboxPullContext } from "../provider-helpers";

const DAYS = 30;

/** Bytes the object's SQLite grows by when it stores these rows (a fresh object each time). */
function bytesFor(rows: RecordInput[], now: number): Promise<number> {
  const stub = env.USER_HUB.get(env.USER_HUB.idFromName(`usr_bytes_${crypto.randomUUID()}`));
  return runInDurableObject(stub, (_instance, state) => {
    const before = state.storage.sql.databaseSize;
    new RecordStore(state.storage, drizzle(state.storage)).put("oura", rows, now);
    return state.storage.sql.databaseSize - before;
  });
}

it("samples are stored without the provider's payload, everything else with it; measured on a 30-day sandbox Oura backfill", async () => {
  const now = Date.now();
  const { ctx } = await sandboxPullContext("oura");
  const records: NormalizedRecord[] = [];
  for (const window of backfillWindows(ouraSync, now)) {
    for (const page of await pullAll(ouraSync, ctx, window)) records.push(...ouraSync.normalize(page.kind, page.body).records);
  }
  const rows = records.map(toRecordInput).filter((row) => row !== null);
  expect(rows).toHaveLength(records.length);
  for (const row of rows) expect(row.raw === null, row.kind).toBe(RECORD_SHAPES[row.kind] === "sample");
  expect(new Set(rows.filter((row) => row.raw === null).map((row) => row.kind))).toEqual(new Set(["heart_rate"]));

  // The same backfill with the payload kept on samples too: what the rule saves.
  const withRaw = records.map((record, i) => ({ ...rows[i]!, raw: JSON.stringify(record.raw) }));
  const [kept, dropped] = [await bytesFor(withRaw, now), await bytesFor(rows, now)];
  const perDay = (bytes: number) => Math.round(bytes / DAYS);
  console.log(
    JSON.stringify({
      event: "records_bytes_per_person_day",
      source: "oura",
      records: rows.length,
      samples: rows.filter((row) => row.raw === null).length,
      withRawOnSamples: perDay(kept),
      withoutRawOnSamples: perDay(dropped),
      saved: `${Math.round((1 - dropped / kept) * 100)}%`,
    }),
  );
  expect(dropped).toBeLessThan(kept);
}, 30_000);
