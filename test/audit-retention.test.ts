import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { SYNC_CRON, scheduled } from "../queues/scheduler";
import { integrationConnections } from "../src/db/schema";
import { RETENTION_MS } from "../src/sync/retention";
import { db, seedConnection } from "./helpers";

const DAY = 86_400_000;

/** Inserts `count` audit rows of each table, `startedAt(i)` apart, in one statement each. */
async function seedAudit(connectionId: string, userId: string, times: number[]) {
  const rows = JSON.stringify(times.map((time, i) => ({ id: `${crypto.randomUUID()}-${i}`, time })));
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO webhook_events (id, provider, event_id, received_at, status)
       SELECT r.value ->> 'id', 'whoop', r.value ->> 'id', r.value ->> 'time', 'processed' FROM json_each(?1) AS r`,
    ).bind(rows),
    env.DB.prepare(
      `INSERT INTO sync_runs (id, connection_id, user_id, source_id, trigger, status, records_upserted, records_skipped, started_at)
       SELECT r.value ->> 'id', ?2, ?3, 'oura', 'cron', 'succeeded', 0, 0, r.value ->> 'time' FROM json_each(?1) AS r`,
    ).bind(rows, connectionId, userId),
  ]);
}

const count = async (table: "webhook_events" | "sync_runs", column: "received_at" | "started_at", before: number) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} < ?`).bind(before).first<{ n: number }>())!.n;

async function connection() {
  const userId = `usr_${crypto.randomUUID()}`;
  await seedConnection(userId, "oura", "connected");
  const [row] = await db().select().from(integrationConnections).where(eq(integrationConnections.userId, userId));
  return row!;
}

it("each sync cron tick deletes audit rows past their retention, oldest first, and keeps the recent ones", async () => {
  const now = Date.UTC(2026, 10, 29, 12);
  const { id, userId } = await connection();
  // Webhook events 20 and 10 days old, sync runs 40 and 20 days old (the same rows in both tables): 20 days is
  // past the events' 14 and within the runs' 30.
  await seedAudit(id, userId, [now - 40 * DAY, now - 20 * DAY, now - 10 * DAY, now - DAY]);

  await scheduled(createScheduledController({ cron: SYNC_CRON, scheduledTime: now }), env);

  expect(await count("webhook_events", "received_at", now - RETENTION_MS.webhookEvents)).toBe(0);
  expect((await count("webhook_events", "received_at", now + 1)) - (await count("webhook_events", "received_at", now - 11 * DAY))).toBe(2);
  expect(await count("sync_runs", "started_at", now - RETENTION_MS.syncRuns)).toBe(0);
  expect((await count("sync_runs", "started_at", now - 19 * DAY)) - (await count("sync_runs", "started_at", now - 21 * DAY))).toBe(1);
});

it("deletes a bounded amount per tick and finishes the backlog on the ticks after", async () => {
  const now = Date.UTC(2026, 10, 29, 12);
  const { id, userId } = await connection();
  // 25,000 runs from a year ago: more than one tick deletes (4 statements × 5,000 rows).
  await seedAudit(
    id,
    userId,
    Array.from({ length: 25_000 }, (_, i) => now - 365 * DAY + i),
  );
  const old = () => count("sync_runs", "started_at", now - RETENTION_MS.syncRuns);
  const before = await old();

  await scheduled(createScheduledController({ cron: SYNC_CRON, scheduledTime: now }), env);
  expect(before - (await old())).toBe(20_000);

  await scheduled(createScheduledController({ cron: SYNC_CRON, scheduledTime: now + 15 * 60_000 }), env);
  expect(await old()).toBe(0);
});
