import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { maintenanceCursors } from "../../src/db/schema";
import { MOVE_JOB, moveHealthRecords } from "../../src/records/move-from-d1";
import { db } from "../helpers";
import { storedRecords } from "./inspect";
import { insertOldRecords, oldRecordsFor, recreateOldTable } from "./old-health-records";

async function runToEnd(pageSize: number) {
  const steps = [];
  for (let i = 0; i < 20; i++) {
    const step = await moveHealthRecords(env, { pageSize, maxPages: 2 });
    steps.push(step);
    if (step.status !== "moving") break;
  }
  return steps;
}

it("moves every D1 health record into its person's UserHub, page by page, and a rerun writes nothing", async () => {
  await recreateOldTable();
  const people: [string, string] = [`usr_move_a_${crypto.randomUUID().slice(0, 6)}`, `usr_move_b_${crypto.randomUUID().slice(0, 6)}`];
  const old = oldRecordsFor(people);
  await insertOldRecords(old);

  const steps = await runToEnd(7);
  expect(steps.length).toBeGreaterThan(1);
  expect(steps.at(-1)).toMatchObject({ status: "finished", total: old.length });
  expect(steps.reduce((sum, step) => sum + step.written, 0)).toBe(old.length);

  for (const userId of people) {
    const mine = old.filter((row) => row.userId === userId);
    const stored = await storedRecords(userId);
    const identity = (row: { source: string; kind: string; external_id: string }) => `${row.source}/${row.kind}/${row.external_id}`;
    expect(stored.map(identity).sort()).toEqual(mine.map((row) => `${row.sourceId}/${row.kind}/${row.externalId}`).sort());
    for (const row of stored) {
      const before = mine.find((o) => o.sourceId === row.source && o.kind === row.kind && o.externalId === row.external_id)!;
      expect(JSON.parse(row.data)).toEqual(before.data);
      expect(row.updated_at).toBe(before.updatedAt);
      // Samples leave their payload behind; summaries and sessions keep it.
      expect(row.raw === null ? null : JSON.parse(row.raw)).toEqual(row.kind === "heart_rate" ? null : before.raw);
    }
  }

  // Finished: another call does nothing. Started over (the cursor forgotten), every row is already there.
  expect(await moveHealthRecords(env, { pageSize: 7 })).toMatchObject({ status: "already_finished" });
  await db().delete(maintenanceCursors).where(eq(maintenanceCursors.name, MOVE_JOB));
  const rerun = await runToEnd(7);
  expect(rerun.at(-1)).toMatchObject({ status: "finished", total: old.length });
  expect(rerun.reduce((sum, step) => sum + step.written, 0)).toBe(0);
  expect((await storedRecords(people[0])).length + (await storedRecords(people[1])).length).toBe(old.length);
});
