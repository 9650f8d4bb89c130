// A WHOOP webhook delivery as WHOOP sends it, signed the way WHOOP documents (and src/providers/whoop/webhook.ts
// verifies): X-WHOOP-Signature = base64(HMAC-SHA256(client secret, X-WHOOP-Signature-Timestamp + raw body)), the
// timestamp in milliseconds since the epoch. The body has the shape of WHOOP's v2 example
// (src/providers/whoop/fixtures/webhook-sleep-updated-v2.json) with a fresh `trace_id` each time, so the endpoint's
// dedupe never short-circuits a delivery.
import { createHmac, randomInt, randomUUID } from "node:crypto";

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

export function signedWhoopDelivery(secret: string, now = Date.now()): SignedDelivery {
  // No WHOOP member with this id is connected, so the webhook consumer records the event as skipped.
  const body = JSON.stringify({ user_id: randomInt(900_000_000, 999_999_999), id: randomUUID(), type: "sleep.updated", trace_id: randomUUID() });
  const timestamp = String(now);
  const signature = createHmac("sha256", secret)
    .update(timestamp + body)
    .digest("base64");
  return {
    body,
    headers: { "Content-Type": "application/json", "X-WHOOP-Signature": signature, "X-WHOOP-Signature-Timestamp": timestamp },
  };
}
