import { userHubFor } from "../../../durable-objects/user-hub";
import { database } from "../../db/client";
import { connectStatement, getConnection, recordSyncSuccess, updateConnectionStatus } from "../../db/connections";
import { consents } from "../../db/schema";
import type { SourceId } from "../../domain/integration";
import { MalformedPayloadError, type NormalizedRecord } from "../../domain/records";
import { newId } from "../../lib/ids";
import { development } from "../../platform/development";
import { storeRecords } from "../../sync/store-records";
import type { WebhookEvent, WebhookOutcome } from "../types";
import { type DateWindow, JunctionAuthError, JunctionClient, JunctionRequestError, junctionConfig } from "./api";
import { type JunctionKind, kindForResource, normalizeJunction, SUMMARY_KINDS } from "./normalize";
import { isPhoneSource, junctionRoutes } from "./routes";
import { sourceForSlug } from "./sources";
import { type JunctionPerson, personForJunctionUser } from "./users";

/** A historical pull announces months; we read at most this far back (older data is rarely looked at). */
const MAX_HISTORY_DAYS = 90;
/** Summaries are a handful per day; timeseries can be thousands, so they are read a week at a time. */
const SUMMARY_CHUNK_DAYS = 30;
const TIMESERIES_CHUNK_DAYS = 7;
const DAY_MS = 86_400_000;

export interface ConsumeOptions {
  now: number;
  fetch?: typeof fetch;
}

type Data = Record<string, unknown>;

/**
 * The slug of the source an event is about. Junction's pages disagree on where it is: `data.source.slug` (event
 * structure page), `data.provider.slug` (webhooks introduction, connection created), `data.provider` as a string
 * (historical pull completion) or `data.source.provider` (event catalog's data examples).
 */
function slugOf(data: Data): string | null {
  const source = data.source as Data | undefined;
  const provider = data.provider;
  for (const candidate of [source?.slug, source?.provider, (provider as Data | undefined)?.slug, provider]) {
    if (typeof candidate === "string" && candidate) return candidate;
  }
  return null;
}

const skipped = (detail: string): WebhookOutcome => ({ status: "skipped", detail });

/**
 * One verified Junction event (src/providers/junction/webhook.ts), turned into state and records. The event's
 * source slug decides the card (apple_health_kit → Apple Health, health_connect → Health Connect, a routed wearable
 * → its own card); the Junction user decides the person. Throws only what is worth retrying (Junction or the
 * person's UserHub unavailable); everything else ends as processed or skipped, so Junction is never asked to
 * redeliver an event we cannot use.
 */
export async function consumeJunctionEvent(env: Env, event: WebhookEvent, options: ConsumeOptions): Promise<WebhookOutcome> {
  const page = event.pages?.[0];
  if (!page || page.body === null || typeof page.body !== "object") return skipped("not a Junction event");
  const type = page.kind;
  const data = page.body as Data;
  const db = database(env.DB);

  const person = await personForJunctionUser(db, event.externalUserId);
  if (!person) return skipped("no person with that Junction user id");

  const slug = slugOf(data);
  const source = slug ? sourceForSlug(slug) : null;
  const parts = type.split(".");
  const known =
    type === "provider.connection.created" ||
    type === "provider.connection.error" ||
    (parts.length === 4 && (parts[0] === "historical" || parts[0] === "daily"));
  if (!known) {
    console.log(JSON.stringify({ event: "junction_event_unhandled", type }));
    return skipped(`Junction event ${type} is not one we handle`);
  }
  if (!source || !junctionRoutes(env).has(source)) return skipped(`source ${JSON.stringify(slug)} is not reached through Junction here`);

  if (type === "provider.connection.created") {
    await connect(env, person, source, options.now);
    return { status: "processed", detail: `${source} connected through Junction` };
  }
  if (type === "provider.connection.error") {
    const code = typeof data.error_type === "string" && /^[a-z_]{1,40}$/.test(data.error_type) ? data.error_type : "unknown";
    const changed = await updateConnectionStatus(db, person.userId, source, "error", reconnectReason(source, code), {
      onlyFrom: ["connected", "error"],
      now: options.now,
    });
    return changed ? { status: "processed", detail: `${source} connection reported an error (${code})` } : skipped(`${source} is not connected here`);
  }

  const [stage, , resource = "", change] = parts;
  const kind = kindForResource(resource);
  if (!kind) return skipped(`Junction resource ${resource} is not one we store`);

  const connection = await getConnection(db, person.userId, source, options.now);
  if (connection?.status === "disconnected") return skipped(`${source} was disconnected here`);
  if (!connection) {
    // Junction sends data only for a connected source, so data arriving before its connection event (the queue
    // does not keep order) is the connection.
    await connect(env, person, source, options.now);
  }

  let records: NormalizedRecord[];
  let unusable = 0;
  if (stage === "historical" && change === "created") {
    const window = historyWindow(data, options.now);
    if (!window) return skipped("historical pull announced no usable window");
    try {
      ({ records, unusable } = await pullHistory(env, person, slug as string, kind, window, options));
    } catch (error) {
      // A 4xx other than the key's own (which is retried until the key is fixed) will not change on a retry.
      if (error instanceof JunctionRequestError) return { status: "failed", detail: `Junction refused the ${kind} pull (${error.status})` };
      throw error;
    }
  } else if (stage === "daily" && (change === "created" || change === "updated")) {
    try {
      const result = normalizeJunction(kind, data);
      records = result.records;
      unusable = result.skipped.length;
    } catch (error) {
      if (error instanceof MalformedPayloadError) return skipped(`Junction ${kind} data is not the documented shape`);
      throw error;
    }
  } else {
    console.log(JSON.stringify({ event: "junction_event_unhandled", type }));
    return skipped(`Junction event ${type} is not one we handle`);
  }

  const stored = await storeRecords(env, person.userId, source, records, options.now);
  if (stored.dropped > 0) return skipped(`${source} was disconnected before its data arrived`);
  await recordSyncSuccess(db, { userId: person.userId, sourceId: source }, { now: options.now });
  return { status: "processed", detail: `${stored.written} record(s) written (${stored.inserted} new), ${unusable} skipped` };
}

/**
 * The source is connected: the person's UserHub is told first (it holds no tokens for a Junction source, only the
 * Junction user id, which is what lets it accept the source's records), then D1 shows the card connected.
 */
async function connect(env: Env, person: JunctionPerson, source: SourceId, now: number): Promise<void> {
  await userHubFor(env, person.userId).storeTokens(person.userId, source, person.mode, {
    accessToken: `junction:${person.junctionUserId}`,
    refreshToken: null,
    expiresAt: null,
    scope: null,
    context: { aggregator: "junction", junction_user_id: person.junctionUserId },
  });
  const db = database(env.DB);
  await db.batch([
    // No schedule: Junction pushes; the cron has nothing to pull for this connection.
    connectStatement(db, person.userId, source, { externalUserId: person.junctionUserId, mode: person.mode, nextSyncAt: null }, now),
    db.insert(consents).values({ id: newId("cns"), userId: person.userId, sourceId: source, scopes: "", grantedAt: now }),
  ]);
}

function reconnectReason(source: SourceId, code: string): string {
  const how = isPhoneSource(source) ? "Open the Wellness OS app on your phone and connect it again" : "Connect it again";
  return `The connection needs attention (${code.replaceAll("_", " ")}). ${how} to resume syncing.`;
}

/** The announced window as calendar dates, at most MAX_HISTORY_DAYS back. Junction's example has the ends swapped. */
function historyWindow(data: Data, now: number): { start: number; end: number } | null {
  const a = typeof data.start_date === "string" ? Date.parse(data.start_date) : Number.NaN;
  const b = typeof data.end_date === "string" ? Date.parse(data.end_date) : Number.NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const start = Math.max(Math.min(a, b), now - MAX_HISTORY_DAYS * DAY_MS);
  const end = Math.min(Math.max(a, b), now);
  return end >= start ? { start, end } : null;
}

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function chunks(window: { start: number; end: number }, days: number): DateWindow[] {
  const out: DateWindow[] = [];
  for (let from = window.start; from <= window.end; from += days * DAY_MS) {
    out.push({ start: date(from), end: date(Math.min(from + (days - 1) * DAY_MS, window.end)) });
  }
  return out;
}

async function pullHistory(
  env: Env,
  person: JunctionPerson,
  slug: string,
  kind: JunctionKind,
  window: { start: number; end: number },
  options: ConsumeOptions,
): Promise<{ records: NormalizedRecord[]; unusable: number }> {
  const config = junctionConfig(env, development() !== null);
  if (!config) throw new JunctionAuthError(401);
  const client = new JunctionClient(env, config, options.fetch ? { fetch: options.fetch } : {});
  const summary = (SUMMARY_KINDS as readonly string[]).includes(kind);
  const records: NormalizedRecord[] = [];
  let unusable = 0;
  for (const range of chunks(window, summary ? SUMMARY_CHUNK_DAYS : TIMESERIES_CHUNK_DAYS)) {
    const body = summary ? await client.summary(kind, person.junctionUserId, range, slug) : await client.timeseries(kind, person.junctionUserId, range, slug);
    try {
      const result = normalizeJunction(kind, body);
      records.push(...result.records);
      unusable += result.skipped.length;
    } catch (error) {
      if (!(error instanceof MalformedPayloadError)) throw error;
      unusable++;
    }
  }
  return { records, unusable };
}
