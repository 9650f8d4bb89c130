import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { userHubFor } from "../../durable-objects/user-hub";
import type { SourceId } from "../../src/domain/integration";
import type { NormalizedRecord } from "../../src/domain/records";
import { storeRecords } from "../../src/sync/store-records";

interface StoredRow {
  id: number;
  source: string;
  account: string;
  kind: string;
  external_id: string;
  start_time: number;
  end_time: number | null;
  data: string;
  raw: string | null;
  updated_at: number;
}

/** What the person's UserHub holds in its record store, read from its SQLite (oldest first). */
export function storedRecords(userId: string, filter: { source?: string; kind?: string } = {}): Promise<StoredRow[]> {
  return runInDurableObject(userHubFor(env, userId), (_instance, state) =>
    state.storage.sql
      .exec<Record<string, SqlStorageValue>>("SELECT * FROM records ORDER BY start_time, id")
      .toArray()
      .map((row) => row as unknown as StoredRow)
      .filter((row) => (!filter.source || row.source === filter.source) && (!filter.kind || row.kind === filter.kind)),
  );
}

/** Puts tokens for `source` in the person's vault, as connecting does: the record store takes only connected sources. */
export async function holdTokens(userId: string, source: SourceId): Promise<void> {
  await userHubFor(env, userId).storeTokens(userId, source, "sandbox", {
    accessToken: "test-access",
    refreshToken: null,
    expiresAt: null,
    scope: null,
    context: {},
  });
}

/** Stores records through the production path (the person's UserHub), with the source connected first. */
export async function seedStoredRecords(userId: string, source: SourceId, records: NormalizedRecord[]) {
  await holdTokens(userId, source);
  return storeRecords(env, userId, source, records);
}

/** How many records the person's record store holds (of one source, when given), counted in its SQLite. */
export function storedCount(userId: string, source?: string): Promise<number> {
  return runInDurableObject(userHubFor(env, userId), (_instance, state) =>
    source
      ? state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM records WHERE source = ?", source).one().n
      : state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM records").one().n,
  );
}

/** The distinct kinds the person's record store holds. */
export function storedKinds(userId: string): Promise<string[]> {
  return runInDurableObject(userHubFor(env, userId), (_instance, state) =>
    state.storage.sql
      .exec<{ kind: string }>("SELECT DISTINCT kind FROM records ORDER BY kind")
      .toArray()
      .map((row) => row.kind),
  );
}
