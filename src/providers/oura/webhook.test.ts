import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import { utf8 } from "../../lib/encoding";
import webhookEvent111 from "./fixtures/webhook-event.docs-1.11.json";
import webhookEventCurrent from "./fixtures/webhook-event.docs-current.json";
import { ouraWebhook } from "./webhook";

/**
 * Oura publishes no signature test vector (its example omits the secret). These were computed independently of
 * this code, with the algorithm from Oura's docs, in Node:
 *   crypto.createHmac("sha256", SECRET).update(timestamp + body).digest("hex").toUpperCase()
 * where body is the docs' example notification (webhook-event.docs-current.json) serialised by JSON.stringify.
 */
const SECRET = "oura-webhook-test-secret";
const BODY = JSON.stringify(webhookEventCurrent);
const TIMESTAMP_MS = "1672560000000"; // 2023-01-01T08:00:00Z, in ms like the documented "1671561207502"
const SIGNATURE_MS = "94494A337937835CEF329EAC315401A31B4399758CA065F2E1D38DE2C5DBAE57";
const TIMESTAMP_S = "1672560000"; // the same instant in seconds, like the newer docs' "1234567890"
const SIGNATURE_S = "7FF8C2B47F74C0E3479CB6EC0C97A2953555431D6CEE7A75D1C107CA8819A1DA";
/** The same notification spaced out on the wire (JSON.stringify(body, null, 2)), signed over those raw bytes. */
const PRETTY_BODY = JSON.stringify(webhookEventCurrent, null, 2);
const SIGNATURE_PRETTY_RAW = "80928FEC2A08577C46D057FB0B4C9125BDE83EBCF38D9CD993DB78E3BE43F4CD";
const SENT_AT = 1672560000000;

const configured = { ...env, OURA_CLIENT_SECRET: SECRET, OURA_WEBHOOK_VERIFICATION_TOKEN: "verify-me-please" } as Env;

function notification(body: string, headers: Record<string, string>) {
  return { request: new Request("https://wellness.example/webhooks/oura", { method: "POST", headers, body }), raw: utf8(body) };
}

async function verifyWith(body: string, headers: Record<string, string>, options: { now?: number; env?: Env } = {}) {
  const { request, raw } = notification(body, headers);
  return ouraWebhook.verify(request, raw, options.env ?? configured, options.now ?? SENT_AT);
}

describe("ouraWebhook.verify", () => {
  it("accepts Oura's signature: uppercase hex HMAC-SHA256 of timestamp + body under the client secret", async () => {
    expect(await verifyWith(BODY, { "x-oura-signature": SIGNATURE_MS, "x-oura-timestamp": TIMESTAMP_MS })).toEqual({ ok: true });
  });

  it("accepts a timestamp in seconds and a lowercase signature", async () => {
    expect(await verifyWith(BODY, { "x-oura-signature": SIGNATURE_S, "x-oura-timestamp": TIMESTAMP_S })).toEqual({ ok: true });
    expect(await verifyWith(BODY, { "x-oura-signature": SIGNATURE_MS.toLowerCase(), "x-oura-timestamp": TIMESTAMP_MS })).toEqual({ ok: true });
  });

  it("accepts a spaced-out body signed over its raw bytes, and one signed the docs' way (over JSON.stringify of it)", async () => {
    expect(await verifyWith(PRETTY_BODY, { "x-oura-signature": SIGNATURE_PRETTY_RAW, "x-oura-timestamp": TIMESTAMP_MS })).toEqual({ ok: true });
    expect(await verifyWith(PRETTY_BODY, { "x-oura-signature": SIGNATURE_MS, "x-oura-timestamp": TIMESTAMP_MS })).toEqual({ ok: true });
  });

  it("rejects a tampered body", async () => {
    const tampered = BODY.replace("user123", "user124");
    expect(await verifyWith(tampered, { "x-oura-signature": SIGNATURE_MS, "x-oura-timestamp": TIMESTAMP_MS })).toMatchObject({ ok: false, status: 401 });
    const tamperedPretty = PRETTY_BODY.replace("12345abc", "12345abd");
    expect(await verifyWith(tamperedPretty, { "x-oura-signature": SIGNATURE_PRETTY_RAW, "x-oura-timestamp": TIMESTAMP_MS })).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("rejects a signature made with another secret, and a timestamp swapped after signing", async () => {
    const otherSecret = "88CC06FB84AE816948B8743DE2957F89DA44F4C95134CD5EE36C405F866A3CDA"; // same body and timestamp, secret "another-secret"
    expect(await verifyWith(BODY, { "x-oura-signature": otherSecret, "x-oura-timestamp": TIMESTAMP_MS })).toMatchObject({ ok: false, status: 401 });
    expect(await verifyWith(BODY, { "x-oura-signature": SIGNATURE_MS, "x-oura-timestamp": String(SENT_AT + 1000) })).toMatchObject({ ok: false, status: 401 });
  });

  it("rejects a timestamp more than 5 minutes from now, either way, and accepts one just inside", async () => {
    const headers = { "x-oura-signature": SIGNATURE_MS, "x-oura-timestamp": TIMESTAMP_MS };
    expect(await verifyWith(BODY, headers, { now: SENT_AT + 5 * 60_000 + 1 })).toEqual({
      ok: false,
      status: 401,
      reason: "x-oura-timestamp is outside the allowed window",
    });
    expect(await verifyWith(BODY, headers, { now: SENT_AT - 5 * 60_000 - 1 })).toMatchObject({ ok: false, status: 401 });
    expect(await verifyWith(BODY, headers, { now: SENT_AT + 5 * 60_000 })).toEqual({ ok: true });
  });

  it("rejects missing or malformed headers", async () => {
    expect(await verifyWith(BODY, { "x-oura-timestamp": TIMESTAMP_MS })).toMatchObject({ ok: false, status: 401 });
    expect(await verifyWith(BODY, { "x-oura-signature": SIGNATURE_MS })).toMatchObject({ ok: false, status: 401 });
    expect(await verifyWith(BODY, { "x-oura-signature": SIGNATURE_MS, "x-oura-timestamp": "2023-01-01T08:00:00Z" })).toMatchObject({ ok: false, status: 401 });
  });

  it("rejects everything when no client secret is configured, and never echoes the secret", async () => {
    const unconfigured = { ...configured, OURA_CLIENT_SECRET: "" } as Env;
    const result = await verifyWith(BODY, { "x-oura-signature": SIGNATURE_MS, "x-oura-timestamp": TIMESTAMP_MS }, { env: unconfigured });
    expect(result).toMatchObject({ ok: false, status: 401 });
    const wrong = await verifyWith(BODY, { "x-oura-signature": "00", "x-oura-timestamp": TIMESTAMP_MS });
    expect(JSON.stringify(wrong)).not.toContain(SECRET);
  });
});

describe("ouraWebhook.handshake", () => {
  const get = (query: string) => new Request(`https://wellness.example/webhooks/oura${query}`);

  it("answers the verification GET with the challenge when the token matches", async () => {
    const response = await ouraWebhook.handshake!(get("?verification_token=verify-me-please&challenge=give-me-a-challenge"), configured);
    expect(response!.status).toBe(200);
    expect(response!.headers.get("Content-Type")).toMatch(/application\/json/);
    expect(await response!.json()).toEqual({ challenge: "give-me-a-challenge" });
  });

  it("refuses a wrong token, or any token when none is configured", async () => {
    expect((await ouraWebhook.handshake!(get("?verification_token=guess&challenge=c"), configured))!.status).toBe(401);
    const unconfigured = { ...configured, OURA_WEBHOOK_VERIFICATION_TOKEN: "" } as Env;
    expect((await ouraWebhook.handshake!(get("?verification_token=&challenge=c"), unconfigured))!.status).toBe(400);
    expect((await ouraWebhook.handshake!(get("?verification_token=verify-me-please&challenge=c"), unconfigured))!.status).toBe(401);
  });

  it("answers 400 to a half handshake and leaves other requests alone", async () => {
    expect((await ouraWebhook.handshake!(get("?verification_token=verify-me-please"), configured))!.status).toBe(400);
    expect(await ouraWebhook.handshake!(get(""), configured)).toBeNull();
    const post = new Request("https://wellness.example/webhooks/oura?verification_token=verify-me-please&challenge=c", { method: "POST", body: BODY });
    expect(await ouraWebhook.handshake!(post, configured)).toBeNull();
  });
});

describe("ouraWebhook.parse", () => {
  it("turns the docs' sleep notification into a re-pull of the event's day and the day before, for that Oura user", () => {
    expect(ouraWebhook.parse(webhookEventCurrent, SENT_AT)).toEqual([
      {
        eventId: "sleep:12345abc:update:2023-01-01T08:00:00+00:00",
        externalUserId: "user123",
        window: { start: Date.UTC(2022, 11, 31), end: Date.UTC(2023, 0, 2) },
        // Only the collection the notification names is re-pulled.
        kinds: ["sleep"],
      },
    ]);
  });

  it("gives one event id per notification, the same when Oura delivers it again", () => {
    const [first] = ouraWebhook.parse(webhookEventCurrent, SENT_AT);
    const [again] = ouraWebhook.parse(structuredClone(webhookEventCurrent), SENT_AT + 60_000);
    const [created] = ouraWebhook.parse({ ...webhookEventCurrent, event_type: "create" }, SENT_AT);
    expect(again!.eventId).toBe(first!.eventId);
    expect(created!.eventId).not.toBe(first!.eventId);
  });

  it("acknowledges data types we do not pull (the 1.11 docs' tag example) and deletes with no events", () => {
    expect(ouraWebhook.parse(webhookEvent111, SENT_AT)).toEqual([]);
    expect(ouraWebhook.parse({ ...webhookEventCurrent, data_type: "workout" }, SENT_AT)).toEqual([]);
    expect(ouraWebhook.parse({ ...webhookEventCurrent, event_type: "delete" }, SENT_AT)).toEqual([]);
  });

  it("covers every data type we pull", () => {
    for (const dataType of ["daily_sleep", "sleep", "daily_readiness", "daily_activity"]) {
      expect(ouraWebhook.parse({ ...webhookEventCurrent, data_type: dataType }, SENT_AT), dataType).toHaveLength(1);
    }
  });

  it("reads an event_time without an offset as UTC", () => {
    const [event] = ouraWebhook.parse({ ...webhookEventCurrent, event_time: "2023-01-01T23:30:00" }, SENT_AT);
    expect(event!.window).toEqual({ start: Date.UTC(2022, 11, 31), end: Date.UTC(2023, 0, 2) });
  });

  it.each([
    ["null", null],
    ["a list", [webhookEventCurrent]],
    ["no user_id", { ...webhookEventCurrent, user_id: undefined }],
    ["an unknown event_type", { ...webhookEventCurrent, event_type: "upsert" }],
    ["an event_time that is not a time", { ...webhookEventCurrent, event_time: "<iso-datetime" }],
    ["an empty object_id", { ...webhookEventCurrent, object_id: "" }],
  ])("throws MalformedPayloadError for %s", (_label, body) => {
    expect(() => ouraWebhook.parse(body, SENT_AT)).toThrow(MalformedPayloadError);
  });

  it("is mounted at /webhooks/oura and takes small bodies only", () => {
    expect(ouraWebhook.path).toBe("oura");
    expect(ouraWebhook.maxBodyBytes).toBe(16 * 1024);
    expect(utf8(PRETTY_BODY).byteLength).toBeLessThan(ouraWebhook.maxBodyBytes);
  });
});
