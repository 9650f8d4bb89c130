import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import batchFixture from "./fixtures/notification-batch.reported-live-shape.json";
import notificationFixture from "./fixtures/notification-steps-upsert.webhooks-page.json";
import { fitbit } from "./index";
import { fitbitSync } from "./sync";
import { fitbitWebhook } from "./webhook";

const DAY_MS = 86_400_000;
const SECRET = "Bearer test-webhook-secret-R4nd0m5tr1ng123";
const configured = { ...env, GOOGLE_HEALTH_WEBHOOK_SECRET: SECRET } as Env;
const unconfigured = { ...env, GOOGLE_HEALTH_WEBHOOK_SECRET: "" } as Env;
const NOW = Date.UTC(2026, 7, 20, 12);

type Json = Record<string, any>;

/** A POST as Google's verifier and notifier send it. */
function post(body: string, headers: Record<string, string> = {}) {
  return new Request("https://wellness.example/webhooks/google-health", {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "Google-Health-API-Webhooks-Verifier", ...headers },
    body,
  });
}

const VERIFICATION = '{"type": "verification"}';
const bytes = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;

function notification(data: Json) {
  return { data: { version: "1", clientProvidedSubscriptionName: crypto.randomUUID(), healthUserId: "hu-1", operation: "UPSERT", dataType: "steps", ...data } };
}

describe("fitbitWebhook: the adapter", () => {
  it("is registered on the Fitbit adapter at /webhooks/google-health and answers notifications 204", () => {
    expect(fitbit.webhook).toBe(fitbitWebhook);
    expect(fitbit.sync).toBe(fitbitSync);
    expect(fitbitWebhook.path).toBe("google-health");
    expect(fitbitWebhook.successStatus).toBe(204);
    // Reported live batches reach 99 notifications; each of the documented shape is well under 1 KB.
    expect(fitbitWebhook.maxBodyBytes).toBeGreaterThanOrEqual(99 * JSON.stringify(notificationFixture).length);
  });
});

describe("fitbitWebhook.handshake: endpoint verification", () => {
  const handshake = fitbitWebhook.handshake!;

  it("answers the verification that carries the secret as Authorization with 201 Created", async () => {
    const response = await handshake(post(VERIFICATION, { Authorization: SECRET }), configured);
    expect(response?.status).toBe(201);
  });

  it("answers the verification without Authorization with 401", async () => {
    expect((await handshake(post(VERIFICATION), configured))?.status).toBe(401);
  });

  it("answers a verification with a wrong or differently cased secret with 401", async () => {
    expect((await handshake(post(VERIFICATION, { Authorization: "Bearer guessed" }), configured))?.status).toBe(401);
    expect((await handshake(post(VERIFICATION, { Authorization: SECRET.replace("Bearer", "bearer") }), configured))?.status).toBe(401);
  });

  it("answers 401 to both when no secret is configured, so no subscriber can be verified against an open endpoint", async () => {
    expect((await handshake(post(VERIFICATION, { Authorization: SECRET }), unconfigured))?.status).toBe(401);
    expect((await handshake(post(VERIFICATION), unconfigured))?.status).toBe(401);
  });

  it("leaves notifications and other requests alone, and their body still readable", async () => {
    const body = JSON.stringify(notificationFixture);
    const request = post(body, { Authorization: SECRET });
    expect(await handshake(request, configured)).toBeNull();
    expect(await request.text()).toBe(body);
    expect(await handshake(new Request("https://wellness.example/webhooks/google-health"), configured)).toBeNull();
    expect(await handshake(post(`{"type": "verification", "padding": "${"x".repeat(400)}"}`, { Authorization: SECRET }), configured)).toBeNull();
    expect(await handshake(post("not json", { Authorization: SECRET }), configured)).toBeNull();
  });
});

describe("fitbitWebhook.verify: notifications", () => {
  const body = JSON.stringify(notificationFixture);

  it("accepts a notification whose Authorization is the subscriber secret", async () => {
    expect(await fitbitWebhook.verify(post(body, { Authorization: SECRET }), bytes(body), configured, NOW)).toEqual({ ok: true });
  });

  it.each([
    ["no Authorization header", {}],
    ["a wrong secret", { Authorization: "Bearer test-webhook-secret-R4nd0m5tr1ng124" }],
    ["the secret without its scheme", { Authorization: SECRET.slice("Bearer ".length) }],
  ])("rejects a notification with %s as 401, without echoing the secret", async (_, headers) => {
    const result = await fitbitWebhook.verify(post(body, headers), bytes(body), configured, NOW);
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(JSON.stringify(result)).not.toContain("R4nd0m5tr1ng");
  });

  it("rejects everything as 401 while no secret is configured", async () => {
    expect(await fitbitWebhook.verify(post(body, { Authorization: SECRET }), bytes(body), unconfigured, NOW)).toMatchObject({ ok: false, status: 401 });
  });
});

describe("fitbitWebhook.parse", () => {
  it("reads Google's published notification, placing it by the end time its garbled start time leaves", () => {
    const events = fitbitWebhook.parse(notificationFixture, NOW);
    expect(events).toEqual([
      {
        eventId: expect.stringContaining("health-user-id"),
        externalUserId: "health-user-id",
        // "2026-03-0B01:29:00Z" (sic) cannot be read; "2026-03-08T01:34:00Z" can, padded to its UTC day.
        window: { start: Date.UTC(2026, 2, 8), end: Date.UTC(2026, 2, 9) },
      },
    ]);
    expect(fitbitWebhook.parse(structuredClone(notificationFixture), NOW + DAY_MS)[0]!.eventId).toBe(events[0]!.eventId);
  });

  it("reads a batch delivered as a JSON array, including civil-only intervals", () => {
    const [steps, sleep, ...rest] = fitbitWebhook.parse(batchFixture, NOW);
    expect(rest).toEqual([]);
    expect(steps).toMatchObject({ externalUserId: "AbC123xyz", window: { start: Date.UTC(2026, 7, 13), end: Date.UTC(2026, 7, 14) } });
    // A civil date carries no offset: the window reaches a day either side so every time zone is covered.
    expect(sleep).toMatchObject({ externalUserId: "AbC123xyz", window: { start: Date.UTC(2026, 7, 12), end: Date.UTC(2026, 7, 15) } });
    expect(steps!.eventId).not.toBe(sleep!.eventId);
  });

  it("turns a DELETE that names no data into a deregistration, whatever its data type", () => {
    for (const dataType of ["steps", "weight"]) {
      expect(fitbitWebhook.parse(notification({ operation: "DELETE", dataType }), NOW)).toEqual([
        { eventId: expect.any(String), externalUserId: "hu-1", deregistration: true },
      ]);
    }
    expect(fitbitWebhook.parse(notification({ operation: "DELETE", intervals: [] }), NOW)[0]).toMatchObject({ deregistration: true });
  });

  it("re-pulls the window of a DELETE of particular data, and does not deregister", () => {
    const interval = { physicalTimeInterval: { startTime: "2026-08-18T22:10:00Z", endTime: "2026-08-19T06:40:00Z" } };
    const [event] = fitbitWebhook.parse(notification({ operation: "DELETE", dataType: "sleep", intervals: [interval] }), NOW);
    expect(event).toEqual({ eventId: expect.any(String), externalUserId: "hu-1", window: { start: Date.UTC(2026, 7, 18), end: Date.UTC(2026, 7, 20) } });
  });

  it("covers every interval of a notification with one window", () => {
    const intervals = [
      { physicalTimeInterval: { startTime: "2026-08-19T10:00:00Z", endTime: "2026-08-19T10:05:00Z" } },
      { physicalTimeInterval: { startTime: "2026-08-17T23:55:00Z", endTime: "2026-08-18T00:00:00Z" } },
    ];
    expect(fitbitWebhook.parse(notification({ intervals }), NOW)[0]!.window).toEqual({ start: Date.UTC(2026, 7, 17), end: Date.UTC(2026, 7, 20) });
  });

  it("falls back to the usual lookback when no interval can be placed in time", () => {
    const [event] = fitbitWebhook.parse(notification({ intervals: [{ physicalTimeInterval: { startTime: "soon" } }] }), NOW);
    expect(event!.window).toEqual({ start: Math.floor((NOW - fitbitSync.lookbackHours * 3_600_000) / DAY_MS) * DAY_MS, end: NOW });
  });

  it("keys an event on its content: a redelivery is the same event, other intervals are another", () => {
    const interval = (start: string) => ({ physicalTimeInterval: { startTime: start, endTime: "2026-08-19T10:05:00Z" } });
    const id = (body: unknown) => fitbitWebhook.parse(body, NOW)[0]!.eventId;
    // clientProvidedSubscriptionName is a fresh UUID per notification, so it is not part of the key.
    expect(id(notification({ intervals: [interval("2026-08-19T10:00:00Z")] }))).toBe(id(notification({ intervals: [interval("2026-08-19T10:00:00Z")] })));
    expect(id(notification({ intervals: [interval("2026-08-19T10:00:00Z")] }))).not.toBe(id(notification({ intervals: [interval("2026-08-19T09:55:00Z")] })));
    expect(id(notification({ healthUserId: "hu-2" }))).not.toBe(id(notification({})));
    expect(id(notification({ dataType: "sleep" }))).not.toBe(id(notification({})));
  });

  it("ignores changes to data types it does not pull, and accepts snake_case names of those it does", () => {
    expect(fitbitWebhook.parse(notification({ dataType: "blood-glucose" }), NOW)).toEqual([]);
    expect(fitbitWebhook.parse(notification({ dataType: "heart_rate" }), NOW)).toHaveLength(1);
    expect(fitbitWebhook.parse(notification({ dataType: "exercise" }), NOW)).toHaveLength(1);
    expect(fitbitWebhook.parse(notification({ dataType: "weight" }), NOW)).toHaveLength(1);
    expect(fitbitWebhook.parse(notification({ dataType: "daily-resting-heart-rate" }), NOW)).toHaveLength(1);
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["a string", "UPSERT"],
    ["an object without data", { type: "verification" }],
    ["no healthUserId", notification({ healthUserId: "" })],
    ["no dataType", notification({ dataType: undefined })],
    ["an unknown operation", notification({ operation: "MERGE" })],
    ["intervals that are not a list", notification({ intervals: { physicalTimeInterval: {} } })],
    ["a batch with one bad element", [notification({}), { data: "steps" }]],
  ])("rejects %s as a malformed payload", (_, body) => {
    expect(() => fitbitWebhook.parse(body, NOW)).toThrow(MalformedPayloadError);
  });
});
