import { z } from "zod";
import { MalformedPayloadError } from "../../domain/records";
import { parseBoundedJson } from "../../lib/bounded-json";
import { encodeHexLowerCase, hmacSha256, timingSafeEqual, utf8 } from "../../lib/encoding";
import type { WebhookEvent, WebhookSpec, WebhookVerification } from "../types";

const SIGNATURE_HEADER = "x-oura-signature";
const TIMESTAMP_HEADER = "x-oura-timestamp";

/**
 * Oura documents no tolerance for x-oura-timestamp. Five minutes is the window Stripe and Slack use: wide enough
 * for clock skew and a slow hop, short enough that a captured notification cannot be replayed later.
 */
const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;
/** The documented notification is five short fields (~200 bytes); 16 KB leaves room for fields Oura may add. */
const MAX_BODY_BYTES = 16 * 1024;
const MAX_CHALLENGE_LENGTH = 1024;
const DAY_MS = 86_400_000;

/** The data types we pull; notifications for any other Oura data type are acknowledged and ignored. */
const PULLED_DATA_TYPES = new Set(["daily_sleep", "sleep", "daily_readiness", "daily_activity"]);

const Notification = z.object({
  event_type: z.enum(["create", "update", "delete"]),
  data_type: z.string().min(1),
  object_id: z.string().min(1),
  event_time: z.iso.datetime({ offset: true, local: true }),
  user_id: z.string().min(1),
});

const reject = (status: 400 | 401 | 403, reason: string): WebhookVerification => ({ ok: false, status, reason });

/**
 * The documented example sends milliseconds ("1671561207502"); the newer docs show a 10-digit value. Both are
 * accepted: a number this size in seconds would be after the year 33658.
 */
function timestampMs(header: string): number | null {
  if (!/^\d{1,16}$/.test(header)) return null;
  const value = Number(header);
  return value >= 1e12 ? value : value * 1000;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

async function expectedSignature(secret: string, timestamp: string, body: Uint8Array): Promise<string> {
  return encodeHexLowerCase(await hmacSha256(secret, concat(utf8(timestamp), body))).toUpperCase();
}

/** The docs' own code signs `timestamp + JSON.stringify(body)`: the compact re-serialisation of what arrived. */
function compactJson(rawBody: Uint8Array): Uint8Array | null {
  const parsed = parseBoundedJson(rawBody);
  return parsed.ok ? utf8(JSON.stringify(parsed.value)) : null;
}

async function verify(request: Request, rawBody: Uint8Array<ArrayBuffer>, env: Env, now: number): Promise<WebhookVerification> {
  const secret = env.OURA_CLIENT_SECRET;
  if (!secret) return reject(401, "Oura webhooks are not configured");
  const signature = request.headers.get(SIGNATURE_HEADER);
  const timestamp = request.headers.get(TIMESTAMP_HEADER);
  if (!signature || !timestamp) return reject(401, "missing x-oura-signature or x-oura-timestamp");
  const sentAt = timestampMs(timestamp);
  if (sentAt === null) return reject(401, "x-oura-timestamp is not a number");
  if (Math.abs(now - sentAt) > TIMESTAMP_TOLERANCE_MS) return reject(401, "x-oura-timestamp is outside the allowed window");
  const presented = signature.trim().toUpperCase();
  if (timingSafeEqual(presented, await expectedSignature(secret, timestamp, rawBody))) return { ok: true };
  // Oura's docs compute the HMAC over JSON.stringify of the parsed body; if the bytes on the wire are spaced
  // differently, that form is the one Oura signed. Both forms need the client secret.
  const compact = compactJson(rawBody);
  if (compact && timingSafeEqual(presented, await expectedSignature(secret, timestamp, compact))) return { ok: true };
  return reject(401, "x-oura-signature does not match");
}

/** Oura's verification handshake: GET <callback>?verification_token=…&challenge=… answered with {"challenge"}. */
async function handshake(request: Request, env: Env): Promise<Response | null> {
  if (request.method !== "GET") return null;
  const query = new URL(request.url).searchParams;
  const token = query.get("verification_token");
  const challenge = query.get("challenge");
  if (token === null && challenge === null) return null;
  if (!token || !challenge || challenge.length > MAX_CHALLENGE_LENGTH)
    return Response.json({ detail: "verification_token and challenge are required" }, { status: 400 });
  const expected = env.OURA_WEBHOOK_VERIFICATION_TOKEN;
  if (!expected || !timingSafeEqual(token, expected)) return Response.json({ detail: "invalid verification token" }, { status: 401 });
  return Response.json({ challenge }, { status: 200 });
}

/** The UTC midnight before an instant. */
const utcDayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

function parse(body: unknown): WebhookEvent[] {
  const parsed = Notification.safeParse(body);
  if (!parsed.success) throw new MalformedPayloadError("oura webhook: expected {event_type, data_type, object_id, event_time, user_id}");
  const { event_type, data_type, object_id, event_time, user_id } = parsed.data;
  // We subscribe to create and update only: a re-pull cannot remove what a delete removed.
  if (!PULLED_DATA_TYPES.has(data_type) || event_type === "delete") return [];
  const eventMs = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(event_time) ? event_time : `${event_time}Z`);
  // event_time is when the data changed, not the day it belongs to: a night's sleep, its score and readiness are
  // filed under the wake-up day, so the day before is pulled too (and the pull pads each end by a local day).
  const dayStart = utcDayStart(eventMs);
  return [
    {
      eventId: `${data_type}:${object_id}:${event_type}:${event_time}`,
      externalUserId: user_id,
      window: { start: dayStart - DAY_MS, end: dayStart + DAY_MS },
      kinds: [data_type],
    },
  ];
}

export const ouraWebhook: WebhookSpec = {
  path: "oura",
  maxBodyBytes: MAX_BODY_BYTES,
  handshake,
  verify,
  parse,
};
