import { and, eq } from "drizzle-orm";
import { userHubFor, type DisconnectResult } from "../../durable-objects/user-hub";
import type { Database } from "../db/client";
import { disconnectStatements } from "../db/connections";
import { healthRecords } from "../db/schema";
import type { SourceId } from "../domain/integration";

export interface DisconnectOptions {
  /** Ask the provider to revoke the grant (the person disconnected here); false when the provider told us it is gone. */
  revokeAtProvider: boolean;
  /** Also delete the data synced from this source. */
  deleteData: boolean;
  /** Why the connection stopped, shown to the person on the card; null when they chose it themselves. */
  reason: string | null;
  now?: number;
}

/**
 * The one way a connection ends, whoever ends it: the settings page's Disconnect, or the provider telling us the
 * person removed our access (a deregistration webhook). The person's UserHub stops any live stream, revokes at
 * the provider when asked and deletes the tokens; then, in one D1 batch, the connection stops, the consent is
 * recorded as withdrawn, and (when asked) the synced data is deleted.
 */
export async function disconnect(env: Env, db: Database, userId: string, source: SourceId, options: DisconnectOptions): Promise<DisconnectResult> {
  const result = await userHubFor(env, userId).disconnect(userId, source, { revokeAtProvider: options.revokeAtProvider });
  const now = options.now ?? Date.now();
  await db.batch([
    ...disconnectStatements(db, userId, source, { reason: options.reason, now }),
    ...(options.deleteData ? [db.delete(healthRecords).where(and(eq(healthRecords.userId, userId), eq(healthRecords.sourceId, source)))] : []),
  ]);
  return result;
}
