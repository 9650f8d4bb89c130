import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { moveHealthRecords } from "../../src/records/move-from-d1";

it("once D1's health_records is dropped, the mover says so and stops, without failing", async () => {
  await env.DB.exec("DROP TABLE IF EXISTS health_records");
  expect(await moveHealthRecords(env)).toMatchObject({ status: "no_table", moved: 0 });
  expect(await moveHealthRecords(env)).toMatchObject({ status: "already_finished", moved: 0 });
});
