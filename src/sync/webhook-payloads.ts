import { sha256Hex } from "../lib/encoding";

// Queue messages hold 128 KB, so a larger event (a Garmin daily with a day of heart-rate samples) waits in R2 and
// its message carries the object's key. The key is derived from (provider, event id) alone, so a provider's
// redelivery overwrites the same object instead of leaving a second one behind.

/** Events whose message would be larger than this travel through R2 (the limit per message is 128 KB). */
export const MAX_INLINE_EVENT_BYTES = 100_000;

const PREFIX = "webhook-events";

/** Event ids are the provider's (any characters, any length): hashed, they make a bounded, URL-safe key. */
export async function payloadKey(provider: string, eventId: string): Promise<string> {
  return `${PREFIX}/${provider}/${await sha256Hex(eventId)}.json`;
}

export async function storePayload(bucket: R2Bucket, key: string, event: unknown): Promise<void> {
  await bucket.put(key, JSON.stringify(event), { httpMetadata: { contentType: "application/json" } });
}

/** The stored event, or null when there is no such object (or it is not JSON). */
export async function loadPayload(bucket: R2Bucket, key: string): Promise<unknown> {
  const object = await bucket.get(key);
  if (!object) return null;
  try {
    return await object.json();
  } catch {
    return null;
  }
}

/**
 * Deletes an event's object once the event is final. Best effort: a failed delete leaves an object that the
 * bucket's lifecycle rule removes (docs/runbook.md), and must not make a finished event look unfinished.
 */
export async function discardPayload(bucket: R2Bucket, key: string): Promise<void> {
  try {
    await bucket.delete(key);
  } catch (error) {
    console.error(JSON.stringify({ event: "webhook_payload_delete_failed", error: error instanceof Error ? error.name : "unknown" }));
  }
}
