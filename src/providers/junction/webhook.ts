import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { MalformedPayloadError } from "../../domain/records";
import { timingSafeEqual } from "../../lib/encoding";
import type { WebhookSpec, WebhookVerification } from "../types";

// Junction delivers through Svix (https://docs.junction.com/webhooks/introduction, "Authenticating Webhooks"):
// `svix-id`, `svix-timestamp`, `svix-signature`, which is the Standard Webhooks scheme under Svix's header names.
const ID_HEADER = "svix-id";
const TIMESTAMP_HEADER = "svix-timestamp";
const SIGNATURE_HEADER = "svix-signature";

/** Svix's and Standard Webhooks' tolerance: a captured delivery cannot be replayed later than this. */
const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** A timeseries batch (a day of heart rate from HealthKit) is the largest event; larger ones wait in R2 on the way. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The secrets to accept: `JUNCTION_WEBHOOK_SECRET` holds one `whsec_…`, or several separated by spaces while a secret
 * is being rotated (the new one is added, then the old one removed once Junction signs with the new one only).
 */
function secrets(env: Env): Webhook[] {
  const configured = (env.JUNCTION_WEBHOOK_SECRET ?? "").split(/\s+/).filter(Boolean);
  const hooks: Webhook[] = [];
  for (const secret of configured) {
    try {
      hooks.push(new Webhook(secret));
    } catch {
      console.error(JSON.stringify({ event: "junction_webhook_secret_unreadable" }));
    }
  }
  return hooks;
}

/**
 * Verifies a delivery as Standard Webhooks says: HMAC-SHA256 over `{id}.{timestamp}.{body}`, any of the header's
 * space-separated `v1,` signatures, against any configured secret. The `standardwebhooks` library computes the
 * signature; the timestamp window is checked here against the request's clock, because the library's `verify`
 * reads the wall clock itself and the route's `now` is what every other provider's window is checked against.
 */
export async function verifyJunction(headers: Headers, rawBody: Uint8Array<ArrayBuffer>, env: Env, now: number): Promise<WebhookVerification> {
  const hooks = secrets(env);
  if (hooks.length === 0) return unauthorized("Junction webhooks are not configured");
  const id = headers.get(ID_HEADER);
  const timestamp = headers.get(TIMESTAMP_HEADER);
  const signatures = headers.get(SIGNATURE_HEADER);
  if (!id || !timestamp || !signatures) return unauthorized("missing svix signature headers");
  if (!/^\d{1,12}$/.test(timestamp)) return unauthorized("signature timestamp is not seconds since the epoch");
  const seconds = Number(timestamp);
  if (Math.abs(Math.floor(now / 1000) - seconds) > TIMESTAMP_TOLERANCE_SECONDS) return unauthorized("signature timestamp is outside the accepted window");
  let payload: string;
  try {
    payload = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(rawBody);
  } catch {
    return unauthorized("signature does not match");
  }
  const offered = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, value]) => version === "v1" && value)
    .map(([, value]) => value as string);
  for (const hook of hooks) {
    const expected = hook.sign(id, new Date(seconds * 1000), payload).slice("v1,".length);
    if (offered.some((signature) => timingSafeEqual(signature, expected))) return { ok: true };
  }
  return unauthorized("signature does not match");
}

/** Junction's envelope (https://docs.junction.com/webhooks/event-structure). */
const Envelope = z.object({
  event_type: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/),
  user_id: z.string().min(1).max(200),
  client_user_id: z.string().nullish(),
  team_id: z.string().nullish(),
  data: z.record(z.string(), z.unknown()),
});

export const junctionWebhook: WebhookSpec = {
  path: "junction",
  maxBodyBytes: MAX_BODY_BYTES,

  verify: (request, rawBody, env, now) => verifyJunction(request.headers, rawBody, env, now),

  /**
   * One delivery is one event, deduped by its `svix-id` (the same id on each of Svix's retries). The envelope travels
   * whole to the consumer (src/providers/junction/consume.ts), which decides what it means: the source, the state of
   * a connection, a window to pull or data to store. An event type we do not handle is still queued, so the consumer
   * records it as skipped and Junction gets its 2xx instead of retrying it for days.
   */
  parse(body, _now, headers) {
    const envelope = Envelope.safeParse(body);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      throw new MalformedPayloadError(`not a Junction event: ${issue?.path.join(".") || "body"} ${issue?.message ?? "is invalid"}`);
    }
    const eventId = headers?.get(ID_HEADER);
    if (!eventId) throw new MalformedPayloadError("not a Junction event: no svix-id");
    return [{ eventId, externalUserId: envelope.data.user_id, pages: [{ kind: envelope.data.event_type, body: envelope.data.data }] }];
  },
};

function unauthorized(reason: string): WebhookVerification {
  return { ok: false, status: 401, reason };
}
