import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import { decodeHeader, verifyWithJwks } from "hono/utils/jwt/jwt";
import { z } from "zod";
import { MalformedPayloadError } from "../../domain/records";
import { parseBoundedJson } from "../../lib/bounded-json";
import type { WebhookEvent, WebhookSpec, WebhookVerification } from "../types";

/** Google's OIDC signing keys (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions). */
const GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v3/certs";
const GOOGLE_ISSUERS = ["accounts.google.com", "https://accounts.google.com"];
const CERTS_TTL_MS = 60 * 60_000;
/** An unknown `kid` refetches the keys (Google rotates them), at most this often. */
const CERTS_REFETCH_MS = 60_000;
/** A notification re-pulls from the stored historyId; the window only labels the run (and bounds a first pull). */
const PUSH_WINDOW_MS = 60 * 60_000;

let cachedCerts: { keys: HonoJsonWebKey[]; fetchedAt: number } | undefined;

async function googleKeys(kid: string | undefined, now: number): Promise<HonoJsonWebKey[]> {
  const fresh = cachedCerts && now - cachedCerts.fetchedAt < CERTS_TTL_MS;
  const known = cachedCerts?.keys.some((key) => key.kid === kid);
  if (cachedCerts && fresh && (known || now - cachedCerts.fetchedAt < CERTS_REFETCH_MS)) return cachedCerts.keys;
  const response = await fetch(GOOGLE_CERTS_URL);
  if (!response.ok) throw new Error(`Google certs answered ${response.status}`);
  const body = (await response.json()) as { keys?: HonoJsonWebKey[] };
  if (!Array.isArray(body.keys)) throw new Error("Google certs had no keys");
  cachedCerts = { keys: body.keys, fetchedAt: now };
  return body.keys;
}

const deny = (status: 401 | 403, reason: string): WebhookVerification => ({ ok: false, status, reason });

/**
 * The push subscription's OIDC token, before the body is read: RS256 by Google's keys, Google's issuer, our audience,
 * our push service account's verified email, unexpired. Anything else is refused and nothing is queued.
 */
async function verifyPushToken(request: Request, env: Env, now: number): Promise<WebhookVerification> {
  const audience = env.GMAIL_PUSH_AUDIENCE;
  const account = env.GMAIL_PUSH_SERVICE_ACCOUNT;
  if (!audience || !account) return deny(403, "Gmail push is not configured");
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
  if (!token) return deny(401, "a push token is required");
  let payload: Awaited<ReturnType<typeof verifyWithJwks>>;
  try {
    const keys = await googleKeys(decodeHeader(token).kid, now);
    payload = await verifyWithJwks(token, { keys, allowedAlgorithms: ["RS256"], verification: { aud: audience } });
  } catch {
    // The token is in the error; say nothing about it.
    return deny(401, "push token not valid");
  }
  if (typeof payload.iss !== "string" || !GOOGLE_ISSUERS.includes(payload.iss)) return deny(401, "push token not issued by Google");
  if (typeof payload.exp !== "number" || payload.exp * 1000 <= now) return deny(401, "push token expired");
  if (payload.email !== account || payload.email_verified !== true) return deny(403, "push token is not our push subscription's");
  return { ok: true };
}

// The push request's body (https://cloud.google.com/pubsub/docs/push#receive_push) and Gmail's notification in
// message.data (https://developers.google.com/gmail/api/guides/push#receiving_notifications).
const PushBody = z.object({
  message: z.object({ data: z.string().min(1).max(4096), messageId: z.string().min(1).max(100) }),
  subscription: z.string().min(1).max(255),
});
const Notification = z.object({
  emailAddress: z.string().min(3).max(320),
  historyId: z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]),
});

function parsePush(body: unknown, now: number): WebhookEvent[] {
  const push = PushBody.safeParse(body);
  if (!push.success) throw new MalformedPayloadError("not a Pub/Sub push");
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(atob(push.data.message.data), (c) => c.charCodeAt(0));
  } catch {
    throw new MalformedPayloadError("message.data is not base64");
  }
  const json = parseBoundedJson(bytes);
  const notification = json.ok ? Notification.safeParse(json.value) : null;
  if (!notification?.success) throw new MalformedPayloadError("message.data is not a Gmail notification");
  // Pub/Sub's messageId is the dedupe key: a redelivered push is the same message.
  return [
    { eventId: push.data.message.messageId, externalUserId: notification.data.emailAddress.toLowerCase(), window: { start: now - PUSH_WINDOW_MS, end: now } },
  ];
}

export const gmailPush: WebhookSpec = {
  path: "gmail-push",
  maxBodyBytes: 16 * 1024,
  verifyRequest: verifyPushToken,
  // The token authenticated the request before its body was read; the body itself is not signed.
  verify: async () => ({ ok: true }),
  parse: parsePush,
  // Pub/Sub takes 102, 200, 201, 202 or 204 as an acknowledgement.
  successStatus: 204,
};
