import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { migrateRecordStore } from "../../durable-objects/records/migrate";
import bundled from "../../durable-objects/records/migrations/migrations.js";
import { RECORD_STORE_UNAVAILABLE, UserHub, userHubFor } from "../../durable-objects/user-hub";
import type { NormalizedRecord } from "../../src/domain/records";
import { seedStoredRecords } from "./inspect";

const userId = () => `usr_migrate_${crypto.randomUUID().slice(0, 8)}`;
const record = {
  kind: "daily_sleep",
  externalId: "night-1",
  startTime: Date.UTC(2026, 10, 1),
  endTime: null,
  data: { date: "2026-11-01", score: 80 },
  raw: { id: "night-1" },
} as NormalizedRecord;

// A later migration (after every bundled one) whose first statement works and whose second fails: all of it must roll back.
const brokenIdx = bundled.journal.entries.length;
const BROKEN_TAG = `${String(brokenIdx).padStart(4, "0")}_broken`;
const broken = {
  journal: { entries: [...bundled.journal.entries, { idx: brokenIdx, when: Date.UTC(2030, 0, 1), tag: BROKEN_TAG, breakpoints: true }] },
  migrations: {
    ...bundled.migrations,
    [`m${String(brokenIdx).padStart(4, "0")}`]: "ALTER TABLE `records` ADD `note` text;--> statement-breakpoint\nCREATE TABLE `records` (`id` integer);",
  },
};

it("a failed migration rolls back whole, is logged without data, and the store keeps its previous schema and rows", async () => {
  const person = userId();
  await seedStoredRecords(person, "oura", [record]);
  const logged = vi.spyOn(console, "error");
  await runInDurableObject(userHubFor(env, person), async (_instance, state) => {
    const result = await migrateRecordStore(state.storage, broken);
    expect(result).toEqual({ ok: false, failedMigration: BROKEN_TAG, pending: [BROKEN_TAG], error: expect.any(String) });
    const columns = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('records')")
      .toArray()
      .map((c) => c.name);
    expect(columns).not.toContain("note");
    expect(state.storage.sql.exec("SELECT * FROM __drizzle_migrations").toArray()).toHaveLength(bundled.journal.entries.length);
    expect(
      state.storage.sql
        .exec<{ external_id: string }>("SELECT external_id FROM records")
        .toArray()
        .map((r) => r.external_id),
    ).toEqual(["night-1"]);
  });
  const event = logged.mock.calls.map((call) => String(call[0])).find((line) => line.includes("user_hub_migration_failed"));
  expect(JSON.parse(event!)).toMatchObject({ event: "user_hub_migration_failed", failedMigration: BROKEN_TAG });
  expect(event).not.toContain("night-1");
  logged.mockRestore();
});

it("a UserHub whose migration fails keeps answering with its previous schema and refuses record writes with the reason", async () => {
  const person = userId();
  await seedStoredRecords(person, "oura", [record]);
  await runInDurableObject(userHubFor(env, person), async (_instance, state) => {
    // The object's migration log lost its entry: starting again re-runs 0000, whose CREATE TABLE now fails.
    state.storage.sql.exec("DELETE FROM __drizzle_migrations");
    const restarted = new UserHub(state, env);
    await state.blockConcurrencyWhile(async () => undefined);
    expect(await restarted.getAccessToken(person, "oura")).toMatchObject({ ok: true });
    const listed = await restarted.listRecords(person, { limit: 10 });
    expect(listed.map((row) => row.externalId)).toEqual(["night-1"]);
    await expect(restarted.putRecords(person, "oura", [])).rejects.toThrow(RECORD_STORE_UNAVAILABLE);
  });
});
