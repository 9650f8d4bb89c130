import type { WebhookEventStatus } from "../db/schema";
import type { SourceId } from "../domain/integration";
import { newId } from "../lib/ids";
import { provider } from "../providers/registry";

// The webhook consumer's ledger: one webhook_events row per (provider, event id), written by the consumer only
// (the endpoint writes nothing). Delivery is at least once, so a row is claimed with an insert-or-ignore, and an
// event counts as done only once its row reaches a final state, which happens after its work is done.

/** States after which a redelivered event is acknowledged and dropped; any other row is processed again. */
const FINAL_STATUSES = ["processed", "skipped", "failed"] as const satisfies readonly WebhookEventStatus[];
type FinalStatus = (typeof FINAL_STATUSES)[number];

/** The same list inside SQL (constants, never input). */
const FINAL_SQL = FINAL_STATUSES.map((status) => `'${status}'`).join(", ");

export const isFinal = (status: WebhookEventStatus): status is FinalStatus => (FINAL_STATUSES as readonly string[]).includes(status);

/** The ledger's provider key: the webhook path the event arrived on (one path may serve several sources' ids). */
export const ledgerProvider = (source: SourceId): string => provider(source).webhook?.path ?? source;

export interface EventClaim {
  provider: string;
  eventId: string;
  receivedAt: number;
}

interface LedgerEntry {
  id: string;
  status: WebhookEventStatus;
}

const claimKey = (providerKey: string, eventId: string) => `${providerKey}\u0000${eventId}`;
export const entryFor = (ledger: ReadonlyMap<string, LedgerEntry>, claim: Pick<EventClaim, "provider" | "eventId">) =>
  ledger.get(claimKey(claim.provider, claim.eventId));

/**
 * The statements that claim each event (a new row says `processing`; an existing row is left as it is) and read
 * where each stands; unexecuted, so the consumer sends them in one D1 batch with its lookup. Read the second
 * statement's result with ledgerOf.
 */
export function claimStatements(d1: D1Database, claims: readonly EventClaim[]): [D1PreparedStatement, D1PreparedStatement] {
  const rows = JSON.stringify(claims.map((claim) => ({ id: newId("whe"), ...claim })));
  return [
    d1
      .prepare(
        `INSERT INTO webhook_events (id, provider, event_id, received_at, status)
         SELECT r.value ->> 'id', r.value ->> 'provider', r.value ->> 'eventId', r.value ->> 'receivedAt', 'processing' FROM json_each(?1) AS r WHERE true
         ON CONFLICT (provider, event_id) DO NOTHING`,
      )
      .bind(rows),
    d1
      .prepare(
        `SELECT w.id, w.provider, w.event_id, w.status FROM json_each(?1) AS r
         JOIN webhook_events AS w ON w.provider = r.value ->> 'provider' AND w.event_id = r.value ->> 'eventId'`,
      )
      .bind(rows),
  ];
}

export const ledgerOf = (result: D1Result<unknown>): Map<string, LedgerEntry> =>
  new Map(
    (result.results as { id: string; provider: string; event_id: string; status: WebhookEventStatus }[]).map((row) => [
      claimKey(row.provider, row.event_id),
      { id: row.id, status: row.status },
    ]),
  );

export interface EventOutcome {
  id: string;
  status: FinalStatus;
  detail: string;
}

/**
 * Records the outcomes of a batch's events once their work is done, in one statement. The first final state
 * stands: a copy of the event that another invocation was handling at the same time cannot overwrite it.
 */
export async function finishEvents(d1: D1Database, outcomes: readonly EventOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await d1
    .prepare(
      `UPDATE webhook_events SET status = r.value ->> 'status', detail = r.value ->> 'detail'
       FROM json_each(?1) AS r
       WHERE webhook_events.id = r.value ->> 'id' AND webhook_events.status NOT IN (${FINAL_SQL})`,
    )
    .bind(JSON.stringify(outcomes))
    .run();
}

/** An event that exhausted its retries (the dead-letter queue): failed, whether or not it was ever claimed. */
export async function giveUpEvent(d1: D1Database, claim: EventClaim, detail: string): Promise<void> {
  await d1
    .prepare(
      `INSERT INTO webhook_events (id, provider, event_id, received_at, status, detail) VALUES (?1, ?2, ?3, ?4, 'failed', ?5)
       ON CONFLICT (provider, event_id) DO UPDATE SET status = 'failed', detail = excluded.detail
       WHERE webhook_events.status NOT IN (${FINAL_SQL})`,
    )
    .bind(newId("whe"), claim.provider, claim.eventId, claim.receivedAt, detail)
    .run();
}
