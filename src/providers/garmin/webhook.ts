import { MalformedPayloadError } from "../../domain/records";
import { sha256Hex, timingSafeEqual } from "../../lib/encoding";
import type { WebhookEvent, WebhookSpec, WebhookVerification } from "../types";
import { type GarminKind, isGarminKind } from "./normalize";

const CALLBACK_HOST = "apis.garmin.com";
const CALLBACK_PATH_PREFIX = "/wellness-api/rest/";
const SECRET_PARAM = "token";

/**
 * Garmin's real push sizes: Health API v1.2.2 §9 "Requesting a Production Key" requires endpoints to accept
 * notifications of at least 10 MB ("min payload allowed 10MB, Activity Details: 100MB"); a push batches every
 * summary of a sync, so a smaller limit would reject real data. Activity Details are not synced here
 * (UNSYNCED_SUMMARY_TYPES), so 10 MB is the bound. The token is checked before any of it is read
 * (`verifyRequest`), and the body is streamed and cut off at this size (src/lib/read-limited.ts).
 */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Summary types Garmin documents for push/ping that this adapter does not sync: acknowledged, not an error. */
const UNSYNCED_SUMMARY_TYPES = new Set([
  "bodyComps",
  "stressDetails",
  "userMetrics",
  "pulseox",
  "pulseOx",
  "allDayRespiration",
  "healthSnapshot",
  "hrv",
  "bloodPressures",
  "skinTemp",
  "moveIQActivities",
  "activities",
  "activityDetails",
  "activityFiles",
  "manuallyUpdatedActivities",
]);

type Item = Record<string, unknown>;

function isObject(value: unknown): value is Item {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringAt(item: Item, key: string): string | undefined {
  const value = item[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function secondsAt(item: Item, key: string): number | undefined {
  const value = item[key];
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Only Garmin's own summary endpoints may be followed from a ping: a callback URL is fetched with the person's
 * bearer token, so anything else (another host, plain http, a port, credentials, another path) is refused.
 */
export function isGarminCallbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "https:" || parsed.hostname !== CALLBACK_HOST || parsed.port !== "" || parsed.username !== "" || parsed.password !== "") return false;
  if (!parsed.pathname.startsWith(CALLBACK_PATH_PREFIX)) return false;
  return isGarminKind(parsed.pathname.slice(CALLBACK_PATH_PREFIX.length));
}

/** Compares digests so the comparison takes the same time whatever the lengths and wherever they differ. */
async function sameSecret(presented: string, expected: string): Promise<boolean> {
  return timingSafeEqual(await sha256Hex(presented), await sha256Hex(expected));
}

// Garmin signs nothing it sends (no signature header is documented), so the endpoint URL configured in Garmin's
// portal carries our secret as `?token=`: only a request to that exact URL is accepted.
async function verifyGarmin(request: Request, env: Env): Promise<WebhookVerification> {
  const expected = env.GARMIN_WEBHOOK_SECRET;
  if (!expected) return { ok: false, status: 401, reason: "Garmin webhook secret is not configured" };
  const presented = new URL(request.url).searchParams.get(SECRET_PARAM);
  if (!presented) return { ok: false, status: 401, reason: "missing webhook token" };
  if (!(await sameSecret(presented, expected))) return { ok: false, status: 401, reason: "webhook token does not match" };
  return { ok: true };
}

/** cyrb53: a fast, stable 53-bit digest of a summary, so a revised summary is a new event and a retry is not. */
function digest(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** The summary without the OAuth 1.0a `userAccessToken` Garmin still adds for legacy partners: never stored. */
function withoutCredentials(item: Item): Item {
  const { userAccessToken: _token, ...rest } = item;
  return rest;
}

function itemsOf(key: string, value: unknown): Item[] {
  if (!Array.isArray(value)) throw new MalformedPayloadError(`Garmin "${key}" is not a list`);
  // Items without a userId cannot be routed to anyone (the published ping example even ends with `{}`).
  return value.filter((item): item is Item => isObject(item) && stringAt(item, "userId") !== undefined);
}

/** A ping: where to pull, for which upload window. Garmin's callback URL already carries both. */
function pingEvent(kind: GarminKind, item: Item, userId: string): WebhookEvent {
  const callbackUrl = item.callbackURL;
  if (typeof callbackUrl !== "string" || !isGarminCallbackUrl(callbackUrl) || new URL(callbackUrl).pathname !== `${CALLBACK_PATH_PREFIX}${kind}`) {
    throw new MalformedPayloadError(`Garmin ${kind} ping: callbackURL is not Garmin's ${kind} endpoint`);
  }
  const query = new URL(callbackUrl).searchParams;
  const start = secondsAt(item, "uploadStartTimeInSeconds") ?? Number(query.get("uploadStartTimeInSeconds") ?? Number.NaN);
  const end = secondsAt(item, "uploadEndTimeInSeconds") ?? Number(query.get("uploadEndTimeInSeconds") ?? Number.NaN);
  if (!Number.isInteger(start) || !Number.isInteger(end)) throw new MalformedPayloadError(`Garmin ${kind} ping: no upload window`);
  // No `window` on purpose: the consumer follows the callback URL, which carries Garmin's pull token.
  return { eventId: `${kind}:ping:${userId}:${start}-${end}`, externalUserId: userId, callbackUrl, callbackKind: kind };
}

function pushEvent(kind: GarminKind, item: Item, userId: string): WebhookEvent {
  const summary = withoutCredentials(item);
  const summaryId = stringAt(summary, "summaryId");
  // Garmin re-sends a summary under the same summaryId whenever it changes (Health API §6.1), so the id alone
  // would drop every update as a duplicate; the digest of its content tells a revision from a retry. A summary
  // without a summaryId is keyed by its person and content alone, so a retried push is still a duplicate.
  const content = digest(JSON.stringify(summary));
  const eventId = summaryId ? `${kind}:${summaryId}:${content}` : `${kind}:content:${userId}:${content}`;
  return { eventId, externalUserId: userId, pages: [{ kind, body: { [kind]: [summary] } }] };
}

/** Pure: a verified Garmin notification body → one event per summary, ping, deregistration or permission change. */
function parseGarmin(body: unknown, now: number): WebhookEvent[] {
  if (!isObject(body)) throw new MalformedPayloadError("Garmin notification is not a JSON object");
  const events: WebhookEvent[] = [];
  let recognized = false;
  for (const [key, value] of Object.entries(body)) {
    if (key === "deregistrations") {
      recognized = true;
      for (const item of itemsOf(key, value)) {
        const userId = stringAt(item, "userId")!;
        // Garmin sends no id or time for a deregistration; acting on one twice is harmless, missing a second one
        // (after the person reconnected and left again) is not, so each receipt is its own event.
        events.push({ eventId: `deregistrations:${userId}:${now}`, externalUserId: userId, deregistration: true });
      }
    } else if (key === "userPermissionsChange") {
      recognized = true;
      for (const item of itemsOf(key, value)) {
        const userId = stringAt(item, "userId")!;
        const id = stringAt(item, "summaryId") ?? `${userId}:${secondsAt(item, "changeTimeInSeconds") ?? now}`;
        // Carries no data and asks for no pull: a permission switched off shows up as 412s on the next pulls.
        events.push({ eventId: `userPermissionsChange:${id}`, externalUserId: userId });
      }
    } else if (isGarminKind(key)) {
      recognized = true;
      for (const item of itemsOf(key, value)) {
        const userId = stringAt(item, "userId")!;
        events.push("callbackURL" in item ? pingEvent(key, item, userId) : pushEvent(key, item, userId));
      }
    } else if (UNSYNCED_SUMMARY_TYPES.has(key)) {
      recognized = true;
    }
  }
  if (!recognized) throw new MalformedPayloadError("Garmin notification has no summary, deregistration or permission list");
  return events;
}

export const garminWebhook: WebhookSpec = {
  path: "garmin",
  maxBodyBytes: MAX_BODY_BYTES,
  // Only the URL is authenticated, so it is checked before the (up to 10 MB) body is read.
  verifyRequest: verifyGarmin,
  verify: (request, _rawBody, env) => verifyGarmin(request, env),
  parse: parseGarmin,
  // Health API §4.1: anything but 200 counts as a failed notification and is re-sent.
  successStatus: 200,
  isAllowedCallbackUrl: isGarminCallbackUrl,
};
