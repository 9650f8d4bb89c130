import { and, eq, inArray } from "drizzle-orm";
import { database } from "../src/db/client";
import { integrationConnections, webhookEvents } from "../src/db/schema";
import { catalogEntry } from "../src/domain/catalog";
import { MalformedPayloadError } from "../src/domain/records";
import { provider } from "../src/providers/registry";
import { createSandboxFetch } from "../src/sandbox/fetch";
import { WebhookJob, type SyncJob } from "../src/sync/jobs";
import { SubrequestBudget, createPullContext } from "../src/sync/pull-context";
import { ENGINE_SUBREQUESTS, SUBREQUEST_LIMIT, backoffSeconds } from "../src/sync/run";
import { enqueueSyncJobs, jobsFor } from "../src/sync/schedule";
import { upsertRecords } from "../src/sync/upsert";

/** A notification may ask to re-pull at most this far back (older edits arrive with the scheduled lookback). */
const MAX_WEBHOOK_WINDOW_MS = 31 * 86_400_000;

export interface WebhookDeps {
  fetch?: typeof fetch;
  now?: number;
}

/**
 * Turns verified notifications into work: a window to re-pull becomes a sync job; data the provider pushed is
 * normalized and stored here; a ping's callback is fetched with the person's token; a deregistration disconnects.
 * The endpoint already answered the provider, so nothing here is on its clock.
 */
export async function consumeWebhookBatch(batch: MessageBatch<unknown>, env: Env, deps: WebhookDeps = {}): Promise<void> {
  const db = database(env.DB);
  for (const message of batch.messages) {
    const parsed = WebhookJob.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ event: "webhook_job_invalid", id: message.id }));
      message.ack();
      continue;
    }
    let job = parsed.data;
    try {
      if (job.storedPayload) {
        const [row] = await db.select({ payload: webhookEvents.payload }).from(webhookEvents).where(eq(webhookEvents.id, job.webhookEventId)).limit(1);
        const event = WebhookJob.shape.event.safeParse(row?.payload ? JSON.parse(row.payload) : null);
        if (!event.success) {
          await db.update(webhookEvents).set({ status: "failed", detail: "stored payload missing or unreadable" }).where(eq(webhookEvents.id, job.webhookEventId));
          message.ack();
          continue;
        }
        job = { ...job, event: event.data };
      }
      const detail = await handleWebhookJob(env, job, deps);
      // The payload has served its purpose; the row stays as the dedupe key and the audit line.
      await db.update(webhookEvents).set({ status: detail.status, detail: detail.detail, payload: null }).where(eq(webhookEvents.id, job.webhookEventId));
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ event: "webhook_job_error", source: job.source, error: error instanceof Error ? error.name : "unknown" }));
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}

async function handleWebhookJob(env: Env, job: WebhookJob, deps: WebhookDeps): Promise<{ status: "processed" | "skipped"; detail: string }> {
  const db = database(env.DB);
  const now = deps.now ?? Date.now();
  const adapter = provider(job.source);
  const name = catalogEntry(job.source).name;
  const connections = await db
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.sourceId, job.source), eq(integrationConnections.externalUserId, job.event.externalUserId), inArray(integrationConnections.status, ["connected", "error"])));
  if (connections.length === 0) return { status: "skipped", detail: "no connected person with that provider id" };

  if (job.event.deregistration) {
    for (const connection of connections) {
      await env.USER_HUB.get(env.USER_HUB.idFromName(connection.userId)).forgetTokens(connection.userId, job.source);
      await db
        .update(integrationConnections)
        .set({ status: "disconnected", statusReason: null, nextSyncAt: null, updatedAt: now, lastError: `Access was removed in your ${catalogEntry(job.source).vendor} account.` })
        .where(eq(integrationConnections.id, connection.id));
    }
    return { status: "processed", detail: `${name} access removed at the provider; ${connections.length} connection(s) disconnected` };
  }

  const spec = adapter.sync;
  if (!spec) return { status: "skipped", detail: `${name} has no sync` };

  if (job.event.window) {
    // A notification asks for a re-pull, in jobs no larger than a backfill job.
    const window = { start: Math.max(job.event.window.start, now - MAX_WEBHOOK_WINDOW_MS), end: Math.min(job.event.window.end, now) };
    if (window.end <= window.start) return { status: "skipped", detail: "window is in the future" };
    const jobs: SyncJob[] = connections.flatMap((connection) =>
      jobsFor({ id: connection.id, userId: connection.userId, source: job.source }, spec, "webhook", window).map((sync) => (job.event.kinds ? { ...sync, kinds: job.event.kinds } : sync)),
    );
    await enqueueSyncJobs(env, jobs, now);
    return { status: "processed", detail: `sync enqueued for ${jobs.length} connection(s)` };
  }

  const pages = [...(job.event.pages ?? [])];
  if (pages.length === 0 && !job.event.callbackUrl) {
    // e.g. Garmin's permission change: nothing to fetch or store, and the connection's sync times stay truthful.
    return { status: "skipped", detail: "notification carries no data and asks for none" };
  }
  if (job.event.callbackUrl && job.event.callbackKind) {
    if (!adapter.webhook?.isAllowedCallbackUrl?.(job.event.callbackUrl)) return { status: "skipped", detail: "callback URL is not the provider's" };
    const connection = connections[0]!;
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(connection.userId));
    const access = await hub.getAccessToken(connection.userId, job.source);
    if (!access.ok) return { status: "skipped", detail: `no usable access (${access.reason})` };
    const ctx = createPullContext({
    env: env,
      fetch: access.mode === "sandbox" ? createSandboxFetch(env) : (deps.fetch ?? ((input, init) => fetch(input, init))),
      token: {
        current: async () => access.accessToken,
        afterUnauthorized: async () => {
          const refreshed = await hub.getAccessToken(connection.userId, job.source, { forceRefresh: true });
          return refreshed.ok ? refreshed.accessToken : null;
        },
      },
      budget: new SubrequestBudget(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS),
      externalUserId: connection.externalUserId,
      now,
    });
    const response = await ctx.request(job.event.callbackUrl);
    pages.push({ kind: job.event.callbackKind, body: await response.json() });
  }

  let written = 0;
  let skipped = 0;
  for (const connection of connections) {
    const records = [];
    for (const page of pages) {
      try {
        const result = spec.normalize(page.kind, page.body);
        records.push(...result.records);
        skipped += result.skipped.length;
      } catch (error) {
        if (!(error instanceof MalformedPayloadError)) throw error;
        skipped++;
      }
    }
    written += (await upsertRecords(env.DB, connection.userId, job.source, records, now)).written;
    await db.update(integrationConnections).set({ lastSyncAt: now, lastSuccessAt: now, lastError: null, updatedAt: now }).where(eq(integrationConnections.id, connection.id));
  }
  return { status: "processed", detail: `${written} record(s) written, ${skipped} skipped` };
}
