import { MalformedPayloadError } from "../../domain/records";
import { parseBoundedJson } from "../../lib/bounded-json";
import { sha256Hex, timingSafeEqual } from "../../lib/encoding";
import { readLimited } from "../../lib/read-limited";
import type { SyncWindow, WebhookEvent, WebhookSpec, WebhookVerification } from "../types";
import { civilDate, isObject, timestamp } from "./normalize";
import { fitbitSync } from "./sync";

const DAY_MS = 86_400_000;
/** `{"type": "verification"}` is tiny; anything bigger is a notification, not the handshake. */
const VERIFICATION_BODY_LIMIT = 256;
/** Live deliveries reportedly batch up to 99 notifications of ~0.7 KB each. */
const MAX_BODY_BYTES = 256 * 1024;
const OPERATIONS = new Set(["UPSERT", "UPDATE", "DELETE"]);
/** The data types `fitbitSync` pulls, as notifications name them (kebab-case, like subscriber configs). */
const SYNCED_DATA_TYPES = new Set(["steps", "heart-rate", "daily-resting-heart-rate", "sleep", "exercise", "weight"]);

type Fields = Record<string, unknown>;

/**
 * The subscriber's `endpointAuthorization.secret` comes back verbatim (scheme included, e.g. "Bearer …") as the
 * Authorization header of the verification request and of every notification. Compared as SHA-256 digests so the
 * comparison takes the same time whatever the lengths.
 */
async function authorizationMatches(request: Request, env: Env): Promise<boolean> {
  const secret = env.GOOGLE_HEALTH_WEBHOOK_SECRET;
  const presented = request.headers.get("Authorization");
  if (!secret || !presented) return false;
  return timingSafeEqual(await sha256Hex(presented), await sha256Hex(secret));
}

/**
 * Endpoint verification: Google POSTs `{"type": "verification"}` twice, once with the secret as Authorization
 * (expects 201 Created) and once without it (expects 401 or 403). Without a configured secret both get 401, so a
 * subscriber can never be verified against an endpoint that would accept anyone.
 */
async function answerVerification(request: Request, env: Env): Promise<Response | null> {
  if (request.method !== "POST") return null;
  const bytes = await readLimited(request.clone(), VERIFICATION_BODY_LIMIT);
  const text = bytes && bytes.byteLength > 0 ? new TextDecoder().decode(bytes) : null;
  if (text === null) return null;
  const parsed = parseBoundedJson(text);
  if (!parsed.ok) return null;
  const body = parsed.value;
  if (!isObject(body) || body.type !== "verification") return null;
  return new Response(null, { status: (await authorizationMatches(request, env)) ? 201 : 401 });
}

/**
 * Notifications carry the subscriber secret in Authorization. They are also signed (X-HEALTHAPI-SIGNATURE, ECDSA
 * P-256 over the payload), but Google documents neither where its public key is published nor which bytes are
 * signed, so that signature is not checked here; the shared secret is the authentication.
 */
async function verifyAuthorization(request: Request, env: Env): Promise<WebhookVerification> {
  if (!env.GOOGLE_HEALTH_WEBHOOK_SECRET) return { ok: false, status: 401, reason: "GOOGLE_HEALTH_WEBHOOK_SECRET is not configured" };
  if (!request.headers.get("Authorization")) return { ok: false, status: 401, reason: "the notification has no Authorization header" };
  if (!(await authorizationMatches(request, env))) return { ok: false, status: 401, reason: "Authorization does not match the subscriber secret" };
  return { ok: true };
}

/** Civil dates ("2026-08-13", "2026-08-13T17:29:00" or google.type.Date) an interval names, when it has no physical time. */
function civilDatesOf(interval: Fields): string[] {
  const dates: string[] = [];
  const add = (value: unknown) => {
    const text = typeof value === "string" ? value.slice(0, 10) : civilDate(isObject(value) ? value.date : undefined);
    if (text && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))) dates.push(text);
  };
  const iso = interval.civilIso8601TimeInterval;
  if (typeof iso === "string") iso.split("/").forEach(add);
  else if (isObject(iso)) [iso.startTime, iso.endTime].forEach(add);
  const civil = interval.civilDateTimeInterval;
  if (isObject(civil)) [civil.startDateTime, civil.endDateTime, civil.startTime, civil.endTime].forEach(add);
  return dates;
}

/**
 * The instants an interval covers: its physical start/end where they parse (Google's own example has a garbled
 * start), else its civil dates widened by the widest UTC offsets, since civil time carries no offset.
 */
function instantsOf(interval: Fields): number[] {
  const physical = isObject(interval.physicalTimeInterval) ? interval.physicalTimeInterval : {};
  const instants = [timestamp(physical.startTime), timestamp(physical.endTime)].filter((ms) => ms !== null);
  if (instants.length > 0) return instants;
  return civilDatesOf(interval).flatMap((date) => {
    const midnight = Date.parse(`${date}T00:00:00Z`);
    return [midnight - DAY_MS, midnight + 2 * DAY_MS - 1];
  });
}

/** The union of the intervals, padded to whole UTC days; the usual lookback when no interval can be placed. */
function windowOf(intervals: Fields[], now: number): SyncWindow {
  const instants = intervals.flatMap(instantsOf);
  if (instants.length === 0) {
    return { start: Math.floor((now - fitbitSync.lookbackHours * 3_600_000) / DAY_MS) * DAY_MS, end: now };
  }
  const start = Math.floor(Math.min(...instants) / DAY_MS) * DAY_MS;
  return { start, end: Math.floor(Math.max(...instants) / DAY_MS) * DAY_MS + DAY_MS };
}

function intervalKey(interval: Fields): string {
  const physical = isObject(interval.physicalTimeInterval) ? interval.physicalTimeInterval : {};
  const civil = interval.civilIso8601TimeInterval;
  const civilText = typeof civil === "string" ? civil : isObject(civil) ? `${String(civil.startTime ?? "")}/${String(civil.endTime ?? "")}` : "";
  return `${String(physical.startTime ?? "")}/${String(physical.endTime ?? "")}~${civilText}`;
}

function notificationEvent(item: unknown, now: number): WebhookEvent | null {
  const data = isObject(item) ? item.data : undefined;
  if (!isObject(data)) throw new MalformedPayloadError("a notification has no data object");
  const { healthUserId, dataType, operation } = data;
  if (typeof healthUserId !== "string" || !healthUserId) throw new MalformedPayloadError("a notification has no healthUserId");
  if (typeof dataType !== "string" || !dataType) throw new MalformedPayloadError("a notification has no dataType");
  if (typeof operation !== "string" || !OPERATIONS.has(operation)) throw new MalformedPayloadError("a notification has an unknown operation");
  if (data.intervals !== undefined && !Array.isArray(data.intervals)) throw new MalformedPayloadError("a notification's intervals is not a list");
  const intervals = ((data.intervals as unknown[] | undefined) ?? []).filter(isObject);
  // No id is sent (clientProvidedSubscriptionName is a fresh UUID per notification), so the content is the key.
  const eventId = [healthUserId, dataType, operation, intervals.map(intervalKey).join(",")].join("|");
  // A DELETE that names no data is what a revoked grant or a deleted account looks like. It carries no id and no
  // time, so its content is the same every time: keyed by content alone, the deregistration after a person
  // reconnected would be dropped as a duplicate of the first. Each receipt is its own event (as Garmin's are);
  // acting on one twice is harmless.
  if (operation === "DELETE" && intervals.length === 0) return { eventId: `${eventId}@${now}`, externalUserId: healthUserId, deregistration: true };
  if (!SYNCED_DATA_TYPES.has(dataType.replaceAll("_", "-"))) return null;
  return { eventId, externalUserId: healthUserId, window: windowOf(intervals, now) };
}

/** Pure: the documented `{"data": {...}}` object, or a JSON array of them (live deliveries reportedly batch). */
function parseNotifications(body: unknown, now: number): WebhookEvent[] {
  const items = Array.isArray(body) ? body : [body];
  if (!Array.isArray(body) && !isObject(body)) throw new MalformedPayloadError("the notification is not a JSON object or array");
  return items.map((item) => notificationEvent(item, now)).filter((event) => event !== null);
}

export const fitbitWebhook: WebhookSpec = {
  path: "google-health",
  maxBodyBytes: MAX_BODY_BYTES,
  handshake: answerVerification,
  // The Authorization header is the whole authentication, so it is checked before the body is read.
  verifyRequest: verifyAuthorization,
  verify: (request, _rawBody, env) => verifyAuthorization(request, env),
  parse: parseNotifications,
  // Google wants 204 No Content and retries anything else for up to 7 days.
  successStatus: 204,
};
