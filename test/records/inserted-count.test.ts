import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import type { NormalizedRecord } from "../../src/domain/records";
import { storeRecords } from "../../src/sync/store-records";
import { seedStoredRecords, storedCount } from "./inspect";

const night = (id: string, score: number) =>
  ({
    kind: "daily_sleep",
    externalId: id,
    startTime: Date.UTC(2026, 10, 1),
    endTime: null,
    data: { date: "2026-11-01", score },
    raw: { id, score },
  }) as NormalizedRecord;

it("a batch reports the records it added apart from the ones it changed, so stored counts can be checked against it", async () => {
  const person = `usr_inserted_${crypto.randomUUID().slice(0, 8)}`;
  const first = await seedStoredRecords(person, "oura", [night("a", 70), night("b", 71)]);
  expect(first).toMatchObject({ written: 2, inserted: 2, unchanged: 0 });

  // A score that arrived since the last pull is a change, not a new record; "c" is new; "a" is a replay.
  const second = await storeRecords(env, person, "oura", [night("a", 70), night("b", 80), night("c", 60)]);
  expect(second).toMatchObject({ written: 2, inserted: 1, unchanged: 1 });
  expect(await storedCount(person, "oura")).toBe(first.inserted + second.inserted);

  expect(await storeRecords(env, person, "oura", [night("a", 70), night("b", 80), night("c", 60)])).toMatchObject({ written: 0, inserted: 0, unchanged: 3 });
});
