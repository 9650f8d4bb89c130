import { and, inArray } from "drizzle-orm";
import { database } from "../db/client";
import { integrationConnections } from "../db/schema";
import type { SourceId } from "../domain/integration";
import { PROVIDERS } from "../providers/registry";
import { enqueueSyncJobs, watchJob } from "./schedule";

const PAGE = 500;

/**
 * The daily cron's renewal of every connected person's provider watch (Gmail's lapses after 7 days; renewing
 * daily leaves six days of slack for failed runs). Each renewal is a queued job, so the cron makes no provider call.
 */
export async function enqueueWatchRenewals(env: Env, now: number): Promise<number> {
  const sources = (Object.keys(PROVIDERS) as SourceId[]).filter((id) => PROVIDERS[id].watch);
  if (sources.length === 0) return 0;
  const db = database(env.DB);
  let enqueued = 0;
  for (let offset = 0; ; offset += PAGE) {
    const rows = await db
      .select({ id: integrationConnections.id, userId: integrationConnections.userId, source: integrationConnections.sourceId })
      .from(integrationConnections)
      .where(and(inArray(integrationConnections.sourceId, sources), inArray(integrationConnections.status, ["connected", "error"])))
      .orderBy(integrationConnections.id)
      .limit(PAGE)
      .offset(offset);
    await enqueueSyncJobs(
      env,
      rows.map((row) => watchJob({ id: row.id, userId: row.userId, source: row.source as SourceId }, "cron", now)),
      now,
    );
    enqueued += rows.length;
    if (rows.length < PAGE) return enqueued;
  }
}
