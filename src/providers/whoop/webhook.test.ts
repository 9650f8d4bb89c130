import { describe, expect, it } from "vitest";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import { MalformedPayloadError } from "../../domain/records";
import { utf8 } from "../../lib/encoding";
import sleepUpdatedV2 from "./fixtures/webhook-sleep-updated-v2.json";
import workoutUpdatedV1 from "./fixtures/webhook-workout-updated-v1.json";
import { whoopSync } from "./sync";
import { whoopWebhook } from "./webhook";

/**
 * WHOOP publishes the algorithm (base64(HMAC-SHA256(key = client secret, message = X-WHOOP-Signature-Timestamp +
 * raw body))) but no signed example, so this vector was computed independently of the code under test, once, with
 * Node's crypto and cross-checked with OpenSSL:
 *
 *   node -e 'const c=require("crypto");console.log(c.createHmac("sha256",SECRET).update(TIMESTAMP+BODY).digest("base64"))'
 *   printf '%s%s' "$TIMESTAMP" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
 *
 * Both print the signature below. The body is WHOOP's v2 webhook example from its docs, compact; the timestamp is
 * milliseconds since the epoch, as WHOOP sends it.
 */
const VECTOR = {
  secret: "whoop-webhook-vector-secret",
  timestamp: "1748241241000",
  body: '{"user_id":456,"id":"550e8400-e29b-41d4-a716-446655440000","type":"sleep.updated","trace_id":"e369c784-5100-49e8-8098-75d35c47b31b"}',
  signature: "GOzDmsC1JKKmpAm2Ttk+3f3ina8th0YYURPYrN8me/E=",
};
const SIGNED_AT = Number(VECTOR.timestamp);
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const envWithSecret = (secret: string) => ({ WHOOP_CLIENT_SECRET: secret }) as unknown as Env;

function delivery(headers: Record<string, string> = { "X-WHOOP-Signature": VECTOR.signature, "X-WHOOP-Signature-Timestamp": VECTOR.timestamp }) {
  return new Request("https://wellness.example/webhooks/whoop", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: VECTOR.body,
  });
}

function verify(options: { request?: Request; body?: string; secret?: string; now?: number } = {}) {
  return whoopWebhook.verify(
    options.request ?? delivery(),
    utf8(options.body ?? VECTOR.body),
    envWithSecret(options.secret ?? VECTOR.secret),
    options.now ?? SIGNED_AT + 1_000,
  );
}

describe("whoopWebhook.verify", () => {
  it("accepts the independently computed signature", async () => {
    expect(await verify()).toEqual({ ok: true });
  });

  it("rejects a body changed after signing", async () => {
    const tampered = VECTOR.body.replace('"user_id":456', '"user_id":457');
    expect(await verify({ body: tampered })).toEqual({ ok: false, status: 401, reason: "signature does not match" });
  });

  it("rejects a signature made with another secret", async () => {
    expect(await verify({ secret: "someone-elses-secret" })).toEqual({ ok: false, status: 401, reason: "signature does not match" });
  });

  it("rejects a signature over a different timestamp", async () => {
    const request = delivery({ "X-WHOOP-Signature": VECTOR.signature, "X-WHOOP-Signature-Timestamp": String(SIGNED_AT + 1) });
    expect(await verify({ request })).toMatchObject({ ok: false, status: 401, reason: "signature does not match" });
  });

  it("accepts deliveries up to five minutes old or early, and nothing beyond", async () => {
    expect(await verify({ now: SIGNED_AT + 5 * MINUTE_MS })).toEqual({ ok: true });
    expect(await verify({ now: SIGNED_AT - 5 * MINUTE_MS })).toEqual({ ok: true });
    const stale = await verify({ now: SIGNED_AT + 5 * MINUTE_MS + 1 });
    expect(stale).toEqual({ ok: false, status: 401, reason: "signature timestamp is outside the accepted window" });
    const future = await verify({ now: SIGNED_AT - 5 * MINUTE_MS - 1 });
    expect(future).toEqual({ ok: false, status: 401, reason: "signature timestamp is outside the accepted window" });
  });

  it("rejects a delivery without either signature header", async () => {
    const noSignature = delivery({ "X-WHOOP-Signature-Timestamp": VECTOR.timestamp });
    const noTimestamp = delivery({ "X-WHOOP-Signature": VECTOR.signature });
    expect(await verify({ request: noSignature })).toEqual({ ok: false, status: 401, reason: "missing WHOOP signature headers" });
    expect(await verify({ request: noTimestamp })).toEqual({ ok: false, status: 401, reason: "missing WHOOP signature headers" });
  });

  it("rejects a timestamp that is not milliseconds since the epoch", async () => {
    const isoTimestamp = delivery({ "X-WHOOP-Signature": VECTOR.signature, "X-WHOOP-Signature-Timestamp": "2025-05-26T06:34:01Z" });
    expect(await verify({ request: isoTimestamp })).toMatchObject({ ok: false, status: 401 });
  });

  it("rejects everything while no client secret is configured", async () => {
    expect(await verify({ secret: "" })).toEqual({ ok: false, status: 401, reason: "WHOOP webhooks are not configured" });
  });

  it("never repeats the secret or the expected signature in its reasons", async () => {
    const results = await Promise.all([verify({ secret: "someone-elses-secret" }), verify({ body: "{}" })]);
    for (const result of results) {
      expect(JSON.stringify(result)).not.toContain("someone-elses-secret");
      expect(JSON.stringify(result)).not.toContain(VECTOR.signature);
    }
  });
});

describe("whoopWebhook.parse", () => {
  const now = Date.parse("2025-05-26T06:34:05.000Z");

  it("turns WHOOP's v2 example into a re-pull of the member's last two days, deduplicated by trace_id", () => {
    expect(whoopWebhook.parse(sleepUpdatedV2, now)).toEqual([
      { eventId: "e369c784-5100-49e8-8098-75d35c47b31b", externalUserId: "456", window: { start: now - 2 * DAY_MS, end: now } },
    ]);
  });

  it("re-pulls for deletions too, so the missing record is noticed", () => {
    const deleted = { ...sleepUpdatedV2, type: "recovery.deleted" };
    expect(whoopWebhook.parse(deleted, now)).toEqual([
      { eventId: sleepUpdatedV2.trace_id, externalUserId: "456", window: { start: now - 2 * DAY_MS, end: now } },
    ]);
  });

  it("accepts the legacy v1 shape, whose id is an integer", () => {
    expect(whoopWebhook.parse(workoutUpdatedV1, now)).toEqual([
      { eventId: "d3709ee7-104e-4f70-a928-2932964b017b", externalUserId: "10129", window: { start: now - 2 * DAY_MS, end: now } },
    ]);
  });

  it("rejects bodies that are not WHOOP's webhook", () => {
    const { trace_id: _trace, ...withoutTrace } = sleepUpdatedV2;
    const malformed = [
      null,
      [],
      "sleep.updated",
      withoutTrace,
      { ...sleepUpdatedV2, user_id: "456" },
      { ...sleepUpdatedV2, type: "" },
      { ...sleepUpdatedV2, trace_id: "" },
    ];
    for (const body of malformed) expect(() => whoopWebhook.parse(body, now), JSON.stringify(body)).toThrow(MalformedPayloadError);
  });

  it("asks for a window the sync can pull", async () => {
    const pulledAt = Date.now();
    const [event] = whoopWebhook.parse(sleepUpdatedV2, pulledAt);
    const { ctx } = await sandboxPullContext("whoop", { now: pulledAt });
    const pages = await pullAll(whoopSync, ctx, event!.window!);
    expect(pages.map((page) => page.kind)).toEqual(expect.arrayContaining(["cycle", "sleep", "recovery", "workout", "body_measurement"]));
  });
});
