import { type DisconnectResult, userHubFor } from "../../durable-objects/user-hub";
import type { Database } from "../db/client";
import { type ConnectionKey, disconnectStatements, keyParts } from "../db/connections";
import type { SourceId } from "../domain/integration";
import { openProviderCalls } from "../providers/calls";
import { provider } from "../providers/registry";
import { SubrequestBudget } from "../sync/pull-context";

/** Provider calls a disconnect may make before the tokens go: the watch's stop and a token refresh. */
const STOP_WATCH_BUDGET = 3;

export interface DisconnectOptions {
  /** Ask the provider to revoke the grant (the person disconnected here); false when the provider told us it is gone. */
  revokeAtProvider: boolean;
  /** Also delete the data synced from this source. */
  deleteData: boolean;
  /** Why the connection stopped, shown to the person on the card; null when they chose it themselves. */
  reason: string | null;
  now?: number;
}

export interface DisconnectOutcome extends DisconnectResult {
  /** Records deleted with it; null when not asked, or when the person's UserHub could not delete them just now. */
  deletedRecords: number | null;
}

/**
 * The one way a connection ends, whoever ends it: the settings page's Disconnect, or the provider telling us the
 * person removed our access (a deregistration webhook). The person's UserHub stops any live stream, revokes at
 * the provider when asked and deletes the tokens, then (when asked) deletes the synced records it holds: the tokens
 * are gone first, so a sync still running cannot store anything afterwards. Then, in one D1 batch, the connection
 * stops and the consent is recorded as withdrawn.
 */
export async function disconnect(env: Env, db: Database, userId: string, key: ConnectionKey, options: DisconnectOptions): Promise<DisconnectOutcome> {
  const hub = userHubFor(env, userId);
  const { sourceId: source, account } = keyParts(key);
  // A watch is stopped while the token still works; a failure is logged and the disconnect goes on (the watch
  // lapses by itself, and with no tokens left its notifications find nothing to pull).
  const watch = provider(source).watch;
  if (watch && options.revokeAtProvider) await stopWatch(env, hub, userId, source, watch).catch(logStopFailure);
  const result = await hub.disconnect(userId, { source, account }, { revokeAtProvider: options.revokeAtProvider });
  const deletedRecords = options.deleteData
    ? await hub.deleteRecords(userId, source, account).catch((error: unknown) => {
        console.error(JSON.stringify({ event: "records_delete_failed", name: error instanceof Error ? error.name : typeof error }));
        return null;
      })
    : null;
  const now = options.now ?? Date.now();
  await db.batch(disconnectStatements(db, userId, key, { reason: options.reason, now }));
  return { ...result, deletedRecords };
}

async function stopWatch(
  env: Env,
  hub: ReturnType<typeof userHubFor>,
  userId: string,
  source: SourceId,
  watch: NonNullable<ReturnType<typeof provider>["watch"]>,
): Promise<void> {
  const access = await openProviderCalls({ env, userId, source, tokens: hub, budget: new SubrequestBudget(STOP_WATCH_BUDGET), externalUserId: null });
  if (access.ok) await watch.stop(access.ctx);
}

function logStopFailure(error: unknown): void {
  console.error(JSON.stringify({ event: "watch_stop_failed", name: error instanceof Error ? error.name : typeof error }));
}
