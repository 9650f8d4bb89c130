import { and, eq, inArray } from "drizzle-orm";
import { userHubFor } from "../durable-objects/user-hub";
import { disconnect } from "../src/connections/disconnect";
import { database } from "../src/db/client";
import { recordSyncSuccess } from "../src/db/connections";
import { integrationConnections } from "../src/db/schema";
import { catalogEntry } from "../src/domain/catalog";
import { MalformedPayloadError } from "../src/domain/records";
import { ProviderUnavailableError } from "../src/oauth/errors";
import { openProviderCalls } from "../src/providers/calls";
import { provider } from "../src/providers/registry";
import { type SyncJob, WebhookJob } from "../src/sync/jobs";
import { AccessRevokedError, ProviderRequestError, SubrequestBudget } from "../src/sync/pull-context";
import { backoffSeconds, ENGINE_SUBREQUESTS, SUBREQUEST_LIMIT } from "../src/sync/run";
import { enqueueSyncJobs, jobsFor } from "../src/sync/schedule";
import { storeRecords } from "../src/sync/store-records";
import { claimEvents, entryFor, finishEvent, isFinal, ledgerProvider } from "../src/sync/webhook-events";
import { discardPayload, loadPayload } from "../src/sync/webhook-payloads";

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
 *
 * Delivery is at least once, both from the provider and from the queue: each event is claimed in webhook_events
 * by (provider, event id) with an insert-or-ignore. An event whose row is in a final state is acknowledged and
 * dropped; any other (new, or left `processing` by an invocation that died) is processed again, which is safe
 * because processing is idempotent. The final state is written only after the work is done.
 */
export async function consumeWebhookBatch(batch: MessageBatch<unknown>, env: Env, deps: WebhookDeps = {}): Promise<void> {
  const db = database(env.DB);
  const valid: { message: Message<unknown>; job: WebhookJob; provider: string }[] = [];
  for (const message of batch.messages) {
    const parsed = WebhookJob.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ event: "webhook_job_invalid", id: message.id }));
      message.ack();
      continue;
    }
    valid.push({ message, job: parsed.data, provider: ledgerProvider(parsed.data.source) });
  }
  // The queue's enqueue time is when the endpoint accepted the event.
  const ledger = await claimEvents(
    env.DB,
    valid.map(({ message, job, provider }) => ({ provider, eventId: job.event.eventId, receivedAt: +message.timestamp })),
  );

  const taken = new Set<string>();
  for (const { message, job: queued, provider } of valid) {
    let job = queued;
    const entry = entryFor(ledger, { provider, eventId: job.event.eventId });
    if (!entry) {
      // Cannot happen (the claim inserts or finds every row); if it did, claiming again later is the safe answer.
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      continue;
    }
    if (isFinal(entry.status) || taken.has(entry.id)) {
      // Done already; or the same event earlier in this batch, whose own message sees it through (or is retried).
      if (job.payloadKey && isFinal(entry.status)) await discardPayload(env.WEBHOOK_PAYLOADS, job.payloadKey);
      message.ack();
      continue;
    }
    taken.add(entry.id);
    try {
      if (job.payloadKey) {
        const event = WebhookJob.shape.event.safeParse(await loadPayload(env.WEBHOOK_PAYLOADS, job.payloadKey));
        if (!event.success) {
          await finishEvent(db, entry.id, "failed", "stored payload missing or unreadable");
          message.ack();
          continue;
        }
        job = { ...job, event: event.data };
      }
      const detail = await handleWebhookJob(env, job, deps);
      await finishEvent(db, entry.id, detail.status, detail.detail);
      // The payload has served its purpose once the event is final; the row stays as the dedupe key and the audit line.
      if (job.payloadKey) await discardPayload(env.WEBHOOK_PAYLOADS, job.payloadKey);
      message.ack();
    } catch (error) {
      if (error instanceof AccessRevokedError || error instanceof ProviderRequestError) {
        // The provider refused the callback for good (e.g. Garmin's 412 when the person turned the permission off):
        // retrying cannot help, and the scheduled pull reports it on the connection.
        const detail =
          error instanceof ProviderRequestError ? `the provider refused the callback (${error.status})` : "the provider refused the person's token";
        await finishEvent(db, entry.id, "failed", detail);
        if (job.payloadKey) await discardPayload(env.WEBHOOK_PAYLOADS, job.payloadKey);
        message.ack();
        continue;
      }
      console.error(JSON.stringify({ event: "webhook_job_error", source: job.source, error: error instanceof Error ? error.name : "unknown" }));
      // The provider's Retry-After when it gave one (429 / 503), else exponential backoff.
      const asked = error instanceof ProviderUnavailableError || error instanceof TokenUnavailableError ? error.retryAfterSeconds : null;
      message.retry({ delaySeconds: asked ?? backoffSeconds(message.attempts) });
    }
  }
}

/** The person's token could not be renewed just now (the provider's token endpoint failed): try again later. */
class TokenUnavailableError extends Error {
  override name = "TokenUnavailableError";
  constructor(readonly retryAfterSeconds: number | null) {
    super("access token temporarily unavailable");
  }
}

async function handleWebhookJob(env: Env, job: WebhookJob, deps: WebhookDeps): Promise<{ status: "processed" | "skipped" | "failed"; detail: string }> {
  const db = database(env.DB);
  const now = deps.now ?? Date.now();
  const adapter = provider(job.source);
  if (adapter.webhook?.consume) return adapter.webhook.consume(env, job.event, { now, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const name = catalogEntry(job.source).name;
  const connections = await db
    .select()
    .from(integrationConnections)
    .where(
      and(
        eq(integrationConnections.sourceId, job.source),
        eq(integrationConnections.externalUserId, job.event.externalUserId),
        inArray(integrationConnections.status, ["connected", "error"]),
      ),
    );
  if (connections.length === 0) return { status: "skipped", detail: "no connected person with that provider id" };

  if (job.event.deregistration) {
    for (const connection of connections) {
      // The same disconnect as the settings page's, without asking the provider to revoke what it already removed;
      // the data stays until the person deletes it.
      await disconnect(env, db, connection.userId, job.source, {
        revokeAtProvider: false,
        deleteData: false,
        reason: `Access was removed in your ${catalogEntry(job.source).vendor} account.`,
        now,
      });
    }
    return { status: "processed", detail: `${name} access removed at the provider; ${connections.length} connection(s) disconnected` };
  }

  const spec = adapter.sync;
  if (!spec) return { status: "skipped", detail: `${name} has no sync` };

  if (job.event.window) {
    // A notification asks for a re-pull, in jobs no larger than a backfill job.
    const window = { start: Math.max(job.event.window.start, now - MAX_WEBHOOK_WINDOW_MS), end: Math.min(job.event.window.end, now) };
    if (window.end <= window.start) {
      const why = job.event.window.start >= now ? "is in the future" : `ended more than ${MAX_WEBHOOK_WINDOW_MS / 86_400_000} days ago`;
      return { status: "skipped", detail: `window ${why}` };
    }
    const jobs: SyncJob[] = connections.flatMap((connection) =>
      jobsFor({ id: connection.id, userId: connection.userId, source: job.source }, spec, "webhook", window).map((sync) =>
        job.event.kinds ? { ...sync, kinds: job.event.kinds } : sync,
      ),
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
    const calls = await openProviderCalls({
      env,
      userId: connection.userId,
      source: job.source,
      tokens: userHubFor(env, connection.userId),
      budget: new SubrequestBudget(SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS),
      externalUserId: connection.externalUserId,
      now,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    if (!calls.ok) {
      // A refresh that failed for now is retried; a grant that is gone has already marked the connection.
      if (calls.reason === "unavailable") throw new TokenUnavailableError(calls.retryAfterSeconds);
      return { status: "skipped", detail: `no usable access (${calls.reason})` };
    }
    const response = await calls.ctx.request(job.event.callbackUrl);
    pages.push({ kind: job.event.callbackKind, body: await response.json() });
  }

  let written = 0;
  let inserted = 0;
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
    const stored = await storeRecords(env, connection.userId, job.source, records, now);
    written += stored.written;
    inserted += stored.inserted;
    // The person disconnected after this push was sent: their UserHub refused it, and nothing was synced.
    if (stored.dropped > 0) continue;
    // Data arriving is a successful sync: a connection showing `error` is healthy again.
    await recordSyncSuccess(db, { connectionId: connection.id, userId: connection.userId }, { now });
  }
  return { status: "processed", detail: `${written} record(s) written (${inserted} new), ${skipped} skipped` };
}
