import { chunkRows, toRecordInput } from "../../durable-objects/records/rows";
import { toVaultKey, type VaultTarget } from "../../durable-objects/token-vault";
import { type PutRecordsResult, userHubFor } from "../../durable-objects/user-hub";
import { announceDays } from "../days/announce";
import type { NormalizedRecord } from "../domain/records";

/**
 * One RPC carries at most this much record text. A sync flushes 1000 records at a time, which is one call unless
 * its records carry large payloads (a sleep session's raw with its per-5-minute series is a few KB); the
 * platform's RPC limit is 32 MiB.
 */
const RPC_CHARS = 8_000_000;

/** The person's UserHub refused a batch: the source is no longer connected (its tokens are gone). */
export class SourceDisconnectedError extends Error {
  override name = "SourceDisconnectedError";
  constructor() {
    super("the source was disconnected; the batch was not stored");
  }
}

interface StoreResult extends PutRecordsResult {
  /** Records too large to store even without their payload (counted, never stored). */
  tooLarge: number;
  /** RPCs to the person's UserHub (one per batch unless it is very large). */
  calls: number;
}

/**
 * Hands one normalized batch to the person's UserHub, the only place their records live: an idempotent upsert
 * keyed by (source, account, kind, external id), so a replay writes 0 rows. The payload is left out here for kinds that
 * do not keep it (src/domain/records.ts), which also keeps the RPC small.
 */
export async function storeRecords(
  env: Pick<Env, "USER_HUB" | "DAYS_QUEUE">,
  userId: string,
  connection: VaultTarget,
  records: readonly NormalizedRecord[],
  now = Date.now(),
): Promise<StoreResult> {
  const { source } = toVaultKey(connection);
  const rows = records.map(toRecordInput);
  const storable = rows.filter((row) => row !== null);
  const result: StoreResult = { written: 0, inserted: 0, unchanged: 0, dropped: 0, days: [], tooLarge: rows.length - storable.length, calls: 0 };
  if (result.tooLarge > 0) console.warn(JSON.stringify({ event: "records_too_large", source, count: result.tooLarge }));
  if (storable.length === 0) return result;
  const hub = userHubFor(env, userId);
  for (const chunk of chunkRows(storable, RPC_CHARS)) {
    const put = await hub.putRecords(userId, connection, chunk, now);
    result.written += put.written;
    result.inserted += put.inserted;
    result.unchanged += put.unchanged;
    result.dropped += put.dropped;
    result.days.push(...put.days);
    result.calls++;
  }
  // The days this batch changed: announced before the batch counts as done, so a failed send is retried with it.
  await announceDays(env, userId, result.days);
  return result;
}
