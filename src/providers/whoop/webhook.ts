import { z } from "zod";
import { MalformedPayloadError } from "../../domain/records";
import { encodeBase64, hmacSha256, timingSafeEqual, utf8 } from "../../lib/encoding";
import type { WebhookSpec, WebhookVerification } from "../types";

const SIGNATURE_HEADER = "X-WHOOP-Signature";
const TIMESTAMP_HEADER = "X-WHOOP-Signature-Timestamp";

/**
 * WHOOP signs its timestamp but documents no tolerance. Five minutes is the window Stripe and Slack use for the
 * same scheme: wide enough for clock skew and delivery delay, narrow enough that a captured request cannot be
 * replayed later. A delivery rejected for age is not lost: the scheduled pull reconciles it.
 */
const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

/** The notification says what changed but not when it happened, so the recent days are pulled again. */
const REPULL_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;

const WebhookBody = z.object({
  user_id: z.number().int().nonnegative().refine(Number.isSafeInteger, "is not a safe integer"),
  // v2 webhooks send a UUID (for recovery events: the sleep's); legacy v1 webhooks sent an integer.
  id: z.union([z.string().min(1), z.number().int()]),
  type: z.string().regex(/^[a-z_]+\.[a-z_]+$/),
  trace_id: z.string().min(1),
});

export const whoopWebhook: WebhookSpec = {
  path: "whoop",
  maxBodyBytes: 8 * 1024,

  async verify(request, rawBody, env, now) {
    const secret = env.WHOOP_CLIENT_SECRET;
    if (!secret) return unauthorized("WHOOP webhooks are not configured");
    const signature = request.headers.get(SIGNATURE_HEADER);
    const timestamp = request.headers.get(TIMESTAMP_HEADER);
    if (!signature || !timestamp) return unauthorized("missing WHOOP signature headers");
    if (!/^\d{1,15}$/.test(timestamp)) return unauthorized("signature timestamp is not milliseconds since the epoch");
    if (Math.abs(now - Number(timestamp)) > TIMESTAMP_TOLERANCE_MS) return unauthorized("signature timestamp is outside the accepted window");
    const expected = encodeBase64(await hmacSha256(secret, concat(utf8(timestamp), rawBody)));
    if (!timingSafeEqual(expected, signature.trim())) return unauthorized("signature does not match");
    return { ok: true };
  },

  /**
   * Every event, `*.deleted` included, re-pulls the member's last two days: an update brings the new values and a
   * deletion shows up as the record missing from the re-pulled window. WHOOP may deliver an event more than once;
   * its `trace_id` is the dedupe key it recommends.
   */
  parse(body, now) {
    const event = WebhookBody.safeParse(body);
    if (!event.success) {
      const issue = event.error.issues[0];
      throw new MalformedPayloadError(`not a WHOOP webhook: ${issue?.path.join(".") || "body"} ${issue?.message ?? "is invalid"}`);
    }
    return [{ eventId: event.data.trace_id, externalUserId: String(event.data.user_id), window: { start: now - REPULL_WINDOW_MS, end: now } }];
  },
};

function unauthorized(reason: string): WebhookVerification {
  return { ok: false, status: 401, reason };
}

function concat(first: Uint8Array<ArrayBuffer>, second: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(first.byteLength + second.byteLength);
  joined.set(first);
  joined.set(second, first.byteLength);
  return joined;
}
