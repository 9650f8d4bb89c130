import { eq } from "drizzle-orm";
import { chunkRows, type RecordInput } from "../../durable-objects/records/rows";
import { userHubFor } from "../../durable-objects/user-hub";
import { database } from "../db/client";
import { maintenanceCursors } from "../db/schema";
import type { SourceId } from "../domain/integration";
import { keepsRaw, RecordKind } from "../domain/records";

/** The maintenance_cursors row of this job. */
export const MOVE_JOB = "health_records_to_user_hubs";
/** One RPC carries at most this much record text (the platform's limit is 32 MiB). */
const RPC_CHARS = 8_000_000;

interface MoveOptions {
  /** Rows read from D1 per page. */
  pageSize?: number;
  /** Pages per step: a step must fit one invocation (the cron's, or the admin call's). */
  maxPages?: number;
}

type MoveResult =
  | { status: "moving" | "finished"; moved: number; written: number; total: number }
  | { status: "already_finished" | "no_table"; moved: 0; written: 0; total: number };

/** The keyset: D1's unique index on health_records, so each page is a seek, not a scan. */
interface Key {
  userId: string;
  sourceId: string;
  kind: string;
  externalId: string;
}

interface OldRow {
  user_id: string;
  source_id: string;
  kind: string;
  external_id: string;
  start_time: number;
  end_time: number | null;
  data: string;
  raw: string | null;
  updated_at: number;
}

const PAGE_SQL = `SELECT user_id, source_id, kind, external_id, start_time, end_time, data, raw, updated_at FROM health_records
  WHERE (user_id, source_id, kind, external_id) > (?1, ?2, ?3, ?4)
  ORDER BY user_id, source_id, kind, external_id LIMIT ?5`;

const START: Key = { userId: "", sourceId: "", kind: "", externalId: "" };

function toInput(row: OldRow): RecordInput {
  const kind = RecordKind.safeParse(row.kind);
  // The same rule as new writes: samples do not keep the provider's payload.
  const raw = kind.success && !keepsRaw(kind.data) ? null : row.raw;
  return {
    kind: row.kind as RecordKind,
    externalId: row.external_id,
    startTime: row.start_time,
    endTime: row.end_time,
    data: row.data,
    raw,
    updatedAt: row.updated_at,
  };
}

/**
 * Moves D1's `health_records` into each person's UserHub, a few pages per call, in (user, source, kind,
 * external id) order. Resumable: the cursor in D1 advances only after a page is in the objects, so a crash
 * repeats at most that page, and the objects' import keeps what they hold, so a repeat writes nothing. Safe to
 * rerun, also after it finished or once the table is dropped (docs/runbook.md has the deploy order).
 */
export async function moveHealthRecords(env: Pick<Env, "DB" | "USER_HUB">, options: MoveOptions = {}): Promise<MoveResult> {
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPages ?? 10;
  const db = database(env.DB);
  const [progress] = await db.select().from(maintenanceCursors).where(eq(maintenanceCursors.name, MOVE_JOB)).limit(1);
  if (progress?.finishedAt) return { status: "already_finished", moved: 0, written: 0, total: progress.done };
  let key: Key = progress?.cursor ? (JSON.parse(progress.cursor) as Key) : START;
  let total = progress?.done ?? 0;
  let moved = 0;
  let written = 0;

  const save = async (finished: boolean) => {
    const now = Date.now();
    const values = { cursor: JSON.stringify(key), done: total, finishedAt: finished ? now : null, updatedAt: now };
    await db
      .insert(maintenanceCursors)
      .values({ name: MOVE_JOB, ...values })
      .onConflictDoUpdate({ target: maintenanceCursors.name, set: values });
  };

  for (let page = 0; page < maxPages; page++) {
    let rows: OldRow[];
    try {
      rows = (await env.DB.prepare(PAGE_SQL).bind(key.userId, key.sourceId, key.kind, key.externalId, pageSize).all<OldRow>()).results;
    } catch (error) {
      // The drop migration ran: there is nothing left to move.
      if (!String(error instanceof Error ? error.message : error).includes("no such table")) throw error;
      if (!progress?.finishedAt) await save(true);
      return { status: "no_table", moved: 0, written: 0, total };
    }
    // One call per person and source (a page is ordered, so each group is contiguous).
    const groups = new Map<string, OldRow[]>();
    for (const row of rows) {
      const group = `${row.user_id}\u0000${row.source_id}`;
      groups.set(group, [...(groups.get(group) ?? []), row]);
    }
    for (const group of groups.values()) {
      const { user_id: userId, source_id: source } = group[0]!;
      const hub = userHubFor(env, userId);
      for (const chunk of chunkRows(group.map(toInput), RPC_CHARS)) {
        written += (await hub.importRecords(userId, source as SourceId, chunk)).written;
      }
    }
    moved += rows.length;
    total += rows.length;
    const last = rows.at(-1);
    if (last) key = { userId: last.user_id, sourceId: last.source_id, kind: last.kind, externalId: last.external_id };
    const finished = rows.length < pageSize;
    await save(finished);
    console.log(JSON.stringify({ event: "records_move_page", rows: rows.length, total, finished }));
    if (finished) return { status: "finished", moved, written, total };
  }
  return { status: "moving", moved, written, total };
}
