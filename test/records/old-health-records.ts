import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import init from "../../migrations/0000_init.sql";
import { maintenanceCursors, users } from "../../src/db/schema";
import { MOVE_JOB } from "../../src/records/move-from-d1";
import { db } from "../helpers";

/** D1 as it was before the records moved: `health_records` recreated from its original DDL (migrations/0000_init.sql). */
export async function recreateOldTable(): Promise<void> {
  const statements = init
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter((statement) => statement.includes("`health_records`"));
  await env.DB.exec("DROP TABLE IF EXISTS health_records");
  await env.DB.batch(statements.map((statement) => env.DB.prepare(statement)));
  await db().delete(maintenanceCursors).where(eq(maintenanceCursors.name, MOVE_JOB));
}

interface OldRecord {
  userId: string;
  sourceId: string;
  kind: string;
  externalId: string;
  startTime: number;
  data: unknown;
  raw: unknown;
  updatedAt: number;
}

/** Rows as the old D1 upsert wrote them (ids, JSON text columns), with their users. */
export async function insertOldRecords(rows: OldRecord[]): Promise<void> {
  for (const userId of new Set(rows.map((row) => row.userId))) {
    await db()
      .insert(users)
      .values({ id: userId, email: `${userId}@example.test` })
      .onConflictDoNothing();
  }
  const insert = env.DB.prepare(
    "INSERT INTO health_records (id, user_id, source_id, kind, external_id, start_time, end_time, data, raw, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
  );
  await env.DB.batch(
    rows.map((row) =>
      insert.bind(
        `rec_${crypto.randomUUID()}`,
        row.userId,
        row.sourceId,
        row.kind,
        row.externalId,
        row.startTime,
        JSON.stringify(row.data),
        row.raw === null ? null : JSON.stringify(row.raw),
        row.updatedAt,
      ),
    ),
  );
}

/** Two people, three sources, samples and summaries: 30 rows, more than one page at the tests' page size. */
export function oldRecordsFor(people: [string, string]): OldRecord[] {
  const base = Date.UTC(2026, 9, 1);
  const rows: OldRecord[] = [];
  for (const [p, userId] of people.entries()) {
    for (let i = 0; i < 8; i++) {
      rows.push({
        userId,
        sourceId: "oura",
        kind: "heart_rate",
        externalId: `hr-${i}`,
        startTime: base + i * 300_000,
        data: { heart_rate: { value: 60 + i, unit: "beats/min" } },
        raw: { bpm: 60 + i },
        updatedAt: base + p,
      });
    }
    for (let i = 0; i < 4; i++) {
      rows.push({
        userId,
        sourceId: "oura",
        kind: "daily_sleep",
        externalId: `ds-${i}`,
        startTime: base + i * 86_400_000,
        data: { date: "2026-10-01", score: 70 + i },
        raw: { id: `ds-${i}`, score: 70 + i },
        updatedAt: base + p,
      });
    }
    for (let i = 0; i < 3; i++) {
      rows.push({
        userId,
        sourceId: "whoop",
        kind: "workout",
        externalId: `w-${i}`,
        startTime: base + i * 3_600_000,
        data: { activity_name: "run" },
        raw: { sport_id: 0 },
        updatedAt: base + p,
      });
    }
  }
  return rows;
}
