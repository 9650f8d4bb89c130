import { userHubFor } from "../durable-objects/user-hub";
import { disconnect } from "../src/connections/disconnect";
import { database } from "../src/db/client";
import { byProviderPerson, providerPeopleStatement, providerPersonKey, recordSyncSuccess } from "../src/db/connections";
import type { IntegrationConnection } from "../src/db/schema";
import { catalogEntry } from "../src/domain/catalog";
import type { SourceId } from "../src/domain/integration";
import { MalformedPayloadError, type NormalizedRecord } from "../src/domain/records";
import { ProviderUnavailableError } from "../src/oauth/errors";
import { openProviderCalls } from "../src/providers/calls";
import { provider } from "../src/providers/registry";
import { type SyncJob, WebhookJob } from "../src/sync/jobs";
import { AccessRevokedError, ProviderRequestError, SubrequestBudget } from "../src/sync/pull-context";
import { backoffSeconds, SUBREQUEST_LIMIT } from "../src/sync/run";
import { enqueueSyncJobs, jobsFor } from "../src/sync/schedule";
import { storeRecords } from "../src/sync/store-records";
import { claimStatements, type EventOutcome, entryFor, finishEvents, isFinal, ledgerOf, ledgerProvider } from "../src/sync/webhook-events";
import { discardPayload, loadPayload } from "../src/sync/webhook-payloads";

/** A notification may ask to re-pull at most this far back (older edits arrive with the scheduled lookback). */
const MAX_WEBHOOK_WINDOW_MS = 31 * 86_400_000;

// What one invocation spends of its subrequests (the free plan's 50, src/sync/run.ts), so that a batch of up to 100
// events never runs out mid-way. Whatever the batch's size: the ledger claim with the connection lookup, the sync
// jobs' rows, the sync times, the outcomes, and one queue send each for the sync jobs and for the events left to the
// next invocation. Each sync-job send beyond the first carries 100 more jobs.
const BATCH_SUBREQUESTS = 6;
const QUEUE_SEND_MAX = 100;
/** An event too large for its message: read from R2, then deleted. */
const PAYLOAD_SUBREQUESTS = 2;
/** A callback: the person's token, the fetch, and after a 401 one refreshed token and the fetch again. */
const CALLBACK_SUBREQUESTS = 4;
const CALLBACK_FETCHES = 2;
/** Per connection stored into: its UserHub, and the changed days announced (a queue send and its UserHub). */
const STORE_SUBREQUESTS = 3;
/** Per connection disconnected: its UserHub forgets the tokens, D1 records it (the provider already revoked). */
const DISCONNECT_SUBREQUESTS = 2;
/** An adapter that consumes its own events: Junction's 90-day history in 7-day pages, its UserHub and D1. */
const OWN_CONSUMER_SUBREQUESTS = 20;

export interface WebhookDeps {
  fetch?: typeof fetch;
  now?: number;
}

/** What one event's work left for the end of the batch, where it is written once for all of them. */
interface Handled {
  status: EventOutcome["status"];
  detail: string;
  syncJobs?: SyncJob[];
  /** The records the event carried (or its callback returned), for each connection they belong to. */
  collected?: { connection: IntegrationConnection; records: NormalizedRecord[] }[];
}

/** A connection's records from all of this batch's events: one store into its UserHub, whatever their number. */
interface StoreGroup {
  connection: IntegrationConnection;
  records: NormalizedRecord[];
  /** The events they came from (indexes into the batch's outcomes), told how the store went. */
  events: number[];
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
 *
 * A batch costs the same few D1 statements whatever its size. An event whose work would overrun the invocation's
 * subrequests is sent back to the queue as a new message (not retried: a retry would count toward the dead-letter
 * queue) and its row stays unfinished, so the next invocation takes it up.
 */
export async function consumeWebhookBatch(batch: MessageBatch<unknown>, env: Env, deps: WebhookDeps = {}): Promise<void> {
  const db = database(env.DB);
  const now = deps.now ?? Date.now();
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
  if (valid.length === 0) return;
  // One D1 round trip: each event claimed in the ledger (the queue's enqueue time is when the endpoint accepted it),
  // and every connection the batch names (an adapter that consumes its own events looks up its own).
  const [, claimed, named] = await env.DB.batch([
    ...claimStatements(
      env.DB,
      valid.map(({ message, job, provider }) => ({ provider, eventId: job.event.eventId, receivedAt: +message.timestamp })),
    ),
    providerPeopleStatement(
      env.DB,
      valid.filter(({ job }) => !provider(job.source).webhook?.consume).map(({ job }) => ({ sourceId: job.source, externalUserId: job.event.externalUserId })),
    ),
  ]);
  const ledger = ledgerOf(claimed!);
  const people = byProviderPerson(named!);

  // The subrequests left for the events' own work; spend() takes an event's share only when all of it is left.
  let budget = SUBREQUEST_LIMIT - BATCH_SUBREQUESTS;
  const spend = (cost: number): boolean => {
    if (cost > budget) return false;
    budget -= cost;
    return true;
  };
  const taken = new Set<string>();
  const pending: { message: Message<unknown>; job: WebhookJob; entryId: string }[] = [];
  const deferred: { message: Message<unknown>; job: WebhookJob }[] = [];
  for (const { message, job, provider } of valid) {
    const entry = entryFor(ledger, { provider, eventId: job.event.eventId });
    if (!entry) {
      // Cannot happen (the claim inserts or finds every row); if it did, claiming again later is the safe answer.
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      continue;
    }
    if (isFinal(entry.status) || taken.has(entry.id)) {
      // Done already; or the same event earlier in this batch, whose own message sees it through (or is retried).
      if (job.payloadKey && isFinal(entry.status)) {
        // Its copy in R2 is no longer needed (deleted here, or by the invocation this is handed on to).
        if (!spend(1)) {
          deferred.push({ message, job });
          continue;
        }
        await discardPayload(env.WEBHOOK_PAYLOADS, job.payloadKey);
      }
      message.ack();
      continue;
    }
    taken.add(entry.id);
    pending.push({ message, job, entryId: entry.id });
  }

  const outcomes: (EventOutcome & { message: Message<unknown>; payloadKey: string | undefined })[] = [];
  const syncJobs: SyncJob[] = [];
  const synced = new Set<string>();
  const stores = new Map<string, StoreGroup>();
  /** Connections whose one store in this batch is already counted in the budget. */
  const storing = new Set<string>();
  const finish = (item: (typeof pending)[number], status: EventOutcome["status"], detail: string) =>
    outcomes.push({ id: item.entryId, status, detail, message: item.message, payloadKey: item.job.payloadKey });
  const sendsFor = (jobs: number) => Math.max(1, Math.ceil(jobs / QUEUE_SEND_MAX));

  // A connection's records, one store for all of the batch's events: an idempotent upsert, so a batch delivered
  // again writes 0 rows.
  const store = async ({ connection, records, events }: StoreGroup) => {
    const stored = await storeRecords(env, connection.userId, connection.sourceId as SourceId, records, now);
    stores.delete(connection.id);
    storing.delete(connection.id);
    const { written, inserted } = stored;
    console.log(JSON.stringify({ event: "webhook_records_stored", source: connection.sourceId, events: events.length, written, inserted }));
    // The person disconnected after this push was sent: their UserHub refused it, and nothing was synced.
    const how =
      stored.dropped > 0
        ? "not stored: disconnected meanwhile"
        : `stored with the batch's ${events.length} event(s) for this connection: ${written} written (${inserted} new)`;
    for (const index of events) outcomes[index]!.detail += `; ${how}`;
    // Data arriving is a successful sync: a connection showing `error` is healthy again.
    if (stored.dropped === 0) synced.add(connection.id);
  };
  const storeIfGrouped = async (connectionId: string) => {
    const group = stores.get(connectionId);
    if (group) await store(group);
  };

  for (const item of pending) {
    let job = item.job;
    const connections = people.get(providerPersonKey({ sourceId: job.source, externalUserId: job.event.externalUserId })) ?? [];
    // A connection already storing in this batch costs nothing more: its records join that one store.
    const joining = carriesData(job) ? connections.filter((connection) => !storing.has(connection.id)) : [];
    if (!spend(subrequestsFor(job, connections.length, joining.length))) {
      deferred.push(item);
      continue;
    }
    for (const connection of joining) storing.add(connection.id);
    try {
      if (job.payloadKey) {
        const event = WebhookJob.shape.event.safeParse(await loadPayload(env.WEBHOOK_PAYLOADS, job.payloadKey));
        if (!event.success) {
          finish(item, "failed", "stored payload missing or unreadable");
          continue;
        }
        job = { ...job, event: event.data };
      }
      // What earlier events in this batch brought for a connection that is about to end is stored first, as it
      // would have been one event at a time (the data stays until the person deletes it).
      if (job.event.deregistration) for (const connection of connections) await storeIfGrouped(connection.id);
      const handled = await handleWebhookJob(env, job, people, { ...deps, now });
      const jobs = handled.syncJobs ?? [];
      if (jobs.length > 0 && !spend(sendsFor(syncJobs.length + jobs.length) - sendsFor(syncJobs.length))) {
        deferred.push(item);
        continue;
      }
      syncJobs.push(...jobs);
      finish(item, handled.status, handled.detail);
      for (const { connection, records } of handled.collected ?? []) {
        const group = stores.get(connection.id) ?? { connection, records: [], events: [] };
        group.records.push(...records);
        group.events.push(outcomes.length - 1);
        stores.set(connection.id, group);
      }
    } catch (error) {
      if (error instanceof AccessRevokedError || error instanceof ProviderRequestError) {
        // The provider refused the callback for good (e.g. Garmin's 412 when the person turned the permission off):
        // retrying cannot help, and the scheduled pull reports it on the connection.
        finish(
          item,
          "failed",
          error instanceof ProviderRequestError ? `the provider refused the callback (${error.status})` : "the provider refused the person's token",
        );
        continue;
      }
      console.error(JSON.stringify({ event: "webhook_job_error", source: job.source, error: error instanceof Error ? error.name : "unknown" }));
      // The provider's Retry-After when it gave one (429 / 503), else exponential backoff.
      const asked = error instanceof ProviderUnavailableError || error instanceof TokenUnavailableError ? error.retryAfterSeconds : null;
      item.message.retry({ delaySeconds: asked ?? backoffSeconds(item.message.attempts) });
    }
  }

  for (const group of [...stores.values()]) await store(group);

  // The batch's writes, once its work is done. Only then are messages acknowledged: an invocation that dies first
  // leaves them unacknowledged and their rows unfinished, so the queue delivers them again.
  await enqueueSyncJobs(env, syncJobs, now);
  if (synced.size > 0) await recordSyncSuccess(db, { connectionIds: [...synced] }, { now });
  if (deferred.length > 0) {
    await env.WEBHOOK_QUEUE.sendBatch(deferred.map(({ job }) => ({ body: job, contentType: "json" as const })));
    console.log(JSON.stringify({ event: "webhook_events_deferred", count: deferred.length }));
  }
  await finishEvents(env.DB, outcomes);
  for (const { message } of deferred) message.ack();
  for (const outcome of outcomes) {
    // The payload has served its purpose once the event is final; the row stays as the dedupe key and the audit line.
    if (outcome.payloadKey) await discardPayload(env.WEBHOOK_PAYLOADS, outcome.payloadKey);
    outcome.message.ack();
  }
}

/**
 * The most subrequests an event's work can make, known before it starts (sync-job sends are counted after), for
 * an event about `connections` connections, `notStoring` of them not yet storing in this batch.
 */
function subrequestsFor(job: WebhookJob, connections: number, notStoring: number): number {
  const payload = job.payloadKey ? PAYLOAD_SUBREQUESTS : 0;
  if (provider(job.source).webhook?.consume) return payload + OWN_CONSUMER_SUBREQUESTS;
  if (connections === 0 || job.event.window) return payload;
  if (job.event.deregistration) return payload + DISCONNECT_SUBREQUESTS * connections;
  return payload + (job.event.callbackUrl ? CALLBACK_SUBREQUESTS : 0) + STORE_SUBREQUESTS * notStoring;
}

/**
 * Whether an event's work may store records here: pushed data, a callback to fetch, or a payload kept in R2 (only
 * large pushes are), rather than a re-pull, a deregistration or an adapter's own consumer.
 */
const carriesData = (job: WebhookJob) => !provider(job.source).webhook?.consume && !job.event.window && !job.event.deregistration;

/** The person's token could not be renewed just now (the provider's token endpoint failed): try again later. */
class TokenUnavailableError extends Error {
  override name = "TokenUnavailableError";
  constructor(readonly retryAfterSeconds: number | null) {
    super("access token temporarily unavailable");
  }
}

async function handleWebhookJob(env: Env, job: WebhookJob, people: Map<string, IntegrationConnection[]>, deps: WebhookDeps): Promise<Handled> {
  const db = database(env.DB);
  const now = deps.now ?? Date.now();
  const adapter = provider(job.source);
  if (adapter.webhook?.consume) return adapter.webhook.consume(env, job.event, { now, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const name = catalogEntry(job.source).name;
  const person = providerPersonKey({ sourceId: job.source, externalUserId: job.event.externalUserId });
  const connections = people.get(person) ?? [];
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
    // A later event in this batch about the same person finds no connection, as it would have looked it up now.
    people.delete(person);
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
    return { status: "processed", detail: `sync enqueued for ${connections.length} connection(s)`, syncJobs: jobs };
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
      budget: new SubrequestBudget(CALLBACK_FETCHES),
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

  // The same pages normalize the same for every connection they belong to (two people on one provider account).
  const records: NormalizedRecord[] = [];
  let skipped = 0;
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
  return {
    status: "processed",
    detail: `${records.length} record(s), ${skipped} skipped`,
    collected: connections.map((connection) => ({ connection, records })),
  };
}
