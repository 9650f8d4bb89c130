import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { moveHealthRecords } from "../../src/records/move-from-d1";
import { storedRecords } from "./inspect";
import { insertOldRecords, oldRecordsFor, recreateOldTable } from "./old-health-records";

/** A D1 binding that dies the first time the mover records its progress, after the page reached the objects. */
function crashingOnProgress(d1: D1Database): D1Database {
  let crashed = false;
  return new Proxy(d1, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          if (!crashed && query.includes("maintenance_cursors") && query.toLowerCase().startsWith("insert")) {
            crashed = true;
            throw new Error("D1_ERROR: Network connection lost.");
          }
          return target.prepare(query);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

it("a mover that dies between moving a page and recording it resumes there, losing and duplicating nothing", async () => {
  await recreateOldTable();
  const people: [string, string] = [`usr_crash_a_${crypto.randomUUID().slice(0, 6)}`, `usr_crash_b_${crypto.randomUUID().slice(0, 6)}`];
  const old = oldRecordsFor(people);
  await insertOldRecords(old);

  // A first step that completes, then one that dies after its page is in the objects.
  expect(await moveHealthRecords(env, { pageSize: 10, maxPages: 1 })).toMatchObject({ status: "moving", total: 10 });
  await expect(moveHealthRecords({ ...env, DB: crashingOnProgress(env.DB) }, { pageSize: 10, maxPages: 1 })).rejects.toThrow("Network connection lost");

  // The rerun repeats the unrecorded page (writing nothing for it) and carries on to the end.
  let written = 0;
  let last: Awaited<ReturnType<typeof moveHealthRecords>>;
  do {
    last = await moveHealthRecords(env, { pageSize: 10, maxPages: 1 });
    written += last.written;
  } while (last.status === "moving");
  expect(last).toMatchObject({ status: "finished", total: old.length });
  expect(written).toBe(old.length - 20);
  const stored = [...(await storedRecords(people[0])), ...(await storedRecords(people[1]))];
  expect(stored).toHaveLength(old.length);
});
