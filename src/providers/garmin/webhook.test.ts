import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordingQueue } from "../../../test/helpers";
import { pullAll, sandboxPullContext } from "../../../test/provider-helpers";
import { MalformedPayloadError } from "../../domain/records";
import { webhookRoutes } from "../../routes/webhooks";
import type { WebhookJob } from "../../sync/jobs";
import dtuPushDailies from "./fixtures/dtu-push-dailies.json";
import dtuPushSleeps from "./fixtures/dtu-push-sleeps.json";
import specPing from "./fixtures/health-api-ping-epochs.json";
import radarPushSleeps from "./fixtures/radar-push-sleeps.json";
import legacyPing from "./fixtures/schema-derived-legacy-ping-dailies.json";
import deregistrations from "./fixtures/start-guide-deregistrations.json";
import permissionsChange from "./fixtures/start-guide-user-permissions-change.json";
import { normalizeGarmin } from "./normalize";
import { garminSync } from "./sync";
import { garminWebhook, isGarminCallbackUrl } from "./webhook";

const NOW = 1_700_000_000_000;
const SECRET = "garmin-endpoint-secret-for-tests-0001";
const withSecret = (secret: string) => ({ GARMIN_WEBHOOK_SECRET: secret }) as Env;
const notification = (search: string) => new Request(`https://wellness.example/webhooks/garmin${search}`, { method: "POST" });
const verify = (search: string, secrets: Env = withSecret(SECRET)) => garminWebhook.verify(notification(search), new Uint8Array(), secrets, NOW);

describe("garminWebhook.verify (secret token in the configured endpoint URL)", () => {
  it("accepts the configured token", async () => {
    expect(await verify(`?token=${SECRET}`)).toEqual({ ok: true });
  });

  it("rejects a missing, wrong, truncated or extended token with 401", async () => {
    for (const search of [
      "",
      "?token=",
      `?secret=${SECRET}`,
      "?token=guess",
      `?token=${SECRET.slice(0, -1)}`,
      `?token=${SECRET}0`,
      `?token=${SECRET.toUpperCase()}`,
    ]) {
      expect(await verify(search), search).toMatchObject({ ok: false, status: 401 });
    }
  });

  it("rejects everything while no secret is configured, even a request with an empty token", async () => {
    expect(env.GARMIN_WEBHOOK_SECRET).toBe("");
    expect(await verify("?token=", env)).toEqual({ ok: false, status: 401, reason: "Garmin webhook secret is not configured" });
    expect(await verify(`?token=${SECRET}`, env)).toMatchObject({ ok: false, status: 401 });
  });

  it("never echoes the secret in its reasons", async () => {
    const result = await verify("?token=guess");
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});

describe("garminWebhook.parse: push", () => {
  it("makes one event per summary, carrying it as a page normalize accepts, without the userAccessToken", () => {
    const events = garminWebhook.parse(dtuPushDailies, NOW);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.externalUserId).toBe("4aacafe82427c251df9c9592d0c06768");
    expect(event!.eventId).toMatch(/^dailies: EXAMPLE_67891:[0-9a-z]+$/);
    expect(event!.window).toBeUndefined();
    expect(event!.callbackUrl).toBeUndefined();
    expect(event!.pages).toHaveLength(1);
    const page = event!.pages![0]!;
    expect(page.kind).toBe("dailies");
    const { userAccessToken: _token, ...summary } = dtuPushDailies.dailies[0]!;
    expect(page.body).toEqual({ dailies: [summary] });

    const { records } = normalizeGarmin("dailies", page.body);
    expect(records.filter((r) => r.kind !== "heart_rate").map((record) => [record.kind, record.externalId])).toEqual([["daily_activity", " EXAMPLE_67891"]]);
  });

  it("never lets userAccessToken survive parsing, for any push or ping", () => {
    for (const body of [dtuPushDailies, dtuPushSleeps, radarPushSleeps, legacyPing]) {
      const serialized = JSON.stringify(garminWebhook.parse(body, NOW));
      expect(serialized).not.toContain("userAccessToken");
      expect(serialized).not.toContain("8f57a6f1-26ba-4b05-a7cd-c6b525a4c7a2");
      expect(serialized).not.toContain("dummy-access-token");
    }
  });

  it("routes each summary to its own person", () => {
    const events = garminWebhook.parse(radarPushSleeps, NOW);
    expect(events.map((event) => [event.externalUserId, event.eventId.split(":").slice(0, 2).join(":")])).toEqual([
      ["sub-1", "sleeps:EXAMPLE 567890"],
      ["sub-2", "sleeps:EXAMPLE 567891"],
    ]);
  });

  it("gives a retried push the same event id, and a revised summary (same summaryId) a new one", () => {
    const first = garminWebhook.parse(dtuPushSleeps, NOW);
    expect(garminWebhook.parse(structuredClone(dtuPushSleeps), NOW + 60_000).map((event) => event.eventId)).toEqual(first.map((event) => event.eventId));

    // Health API §6.1: Garmin re-sends a summary when a later sync completes it; dropping it as a duplicate loses data.
    const revised = structuredClone(dtuPushSleeps);
    revised.sleeps[0]!.durationInSeconds += 900;
    const [revisedEvent] = garminWebhook.parse(revised, NOW);
    expect(revisedEvent!.eventId).not.toBe(first[0]!.eventId);
    expect(revisedEvent!.eventId.startsWith("sleeps:EXAMPLE_567890:")).toBe(true);
  });
});

describe("garminWebhook.parse: ping", () => {
  it("turns the Health API 1.2.2 ping into a callback to follow, ignoring the example's empty item", () => {
    expect(garminWebhook.parse(specPing, NOW)).toEqual([
      {
        eventId: "epochs:ping:4aacafe82427c251df9c9592d0c06768:1444937651-1444937902",
        externalUserId: "4aacafe82427c251df9c9592d0c06768",
        // Kept whole: its `token` is Garmin's pull token for this callback.
        callbackUrl: "https://apis.garmin.com/wellness-api/rest/epochs?uploadStartTimeInSeconds=1444937651&uploadEndTimeInSeconds=1444937902&token=XXXXXXXXX",
        callbackKind: "epochs",
      },
    ]);
  });

  it("reads the upload window from a legacy ping's fields and drops its userAccessToken", () => {
    expect(garminWebhook.parse(legacyPing, NOW)).toEqual([
      {
        eventId: "dailies:ping:4aacafe82427c251df9c9592d0c06768:1444937651-1444937902",
        externalUserId: "4aacafe82427c251df9c9592d0c06768",
        callbackUrl: legacyPing.dailies[0]!.callbackURL,
        callbackKind: "dailies",
      },
    ]);
  });

  it("refuses a ping whose callback is not Garmin's endpoint for that summary type", () => {
    const forged = (callbackURL: unknown) => ({ dailies: [{ userId: "4aacafe82427c251df9c9592d0c06768", callbackURL }] });
    for (const url of [
      "https://attacker.example/wellness-api/rest/dailies?uploadStartTimeInSeconds=1&uploadEndTimeInSeconds=2",
      "http://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=1&uploadEndTimeInSeconds=2",
      "https://apis.garmin.com/wellness-api/rest/sleeps?uploadStartTimeInSeconds=1&uploadEndTimeInSeconds=2",
      "https://apis.garmin.com/wellness-api/rest/dailies",
      42,
    ]) {
      expect(() => garminWebhook.parse(forged(url), NOW), String(url)).toThrow(MalformedPayloadError);
    }
  });

  it("is a callback the sandbox answers with the same summaries a pull of that upload window returns", async () => {
    const { ctx } = await sandboxPullContext("garmin");
    const end = Math.floor(Date.now() / 86_400_000) * 86_400 - 86_400;
    const start = end - 86_400;
    const ping = {
      sleeps: [
        {
          userId: ctx.externalUserId,
          callbackURL: `https://apis.garmin.com/wellness-api/rest/sleeps?uploadStartTimeInSeconds=${start}&uploadEndTimeInSeconds=${end}&token=pull-token`,
        },
      ],
    };
    const [event] = garminWebhook.parse(ping, NOW);
    expect(garminWebhook.isAllowedCallbackUrl!(event!.callbackUrl!)).toBe(true);
    const body = await (await ctx.request(event!.callbackUrl!)).json();
    const [pulled] = (await pullAll(garminSync, ctx, { start: start * 1000, end: end * 1000 })).filter((page) => page.kind === "sleeps");
    expect(body).toEqual(pulled!.body);
    const { records, skipped } = normalizeGarmin("sleeps", body);
    expect(skipped).toEqual([]);
    expect(records.filter((record) => record.kind === "sleep_session")).toHaveLength((body as unknown[]).length);
  });
});

describe("garminWebhook.parse: deregistrations and permission changes", () => {
  it("turns the Start Guide deregistration into a deregistration for that person, each receipt its own event", () => {
    expect(garminWebhook.parse(deregistrations, NOW)).toEqual([
      { eventId: `deregistrations:4aacafe82427c251df9c9592d0c06768:${NOW}`, externalUserId: "4aacafe82427c251df9c9592d0c06768", deregistration: true },
    ]);
    expect(garminWebhook.parse(deregistrations, NOW + 1)[0]!.eventId).not.toBe(garminWebhook.parse(deregistrations, NOW)[0]!.eventId);
  });

  it("turns the Start Guide permission change into an event with no window, data or callback", () => {
    expect(garminWebhook.parse(permissionsChange, NOW)).toEqual([
      { eventId: "userPermissionsChange:x120d383-60256e84", externalUserId: "31be9cac-5bf9-406b-9fa8-89879bcaceac" },
    ]);
  });
});

describe("garminWebhook.parse: envelopes", () => {
  it("handles several lists in one body and acknowledges summary types it does not sync", () => {
    const events = garminWebhook.parse(
      { ...dtuPushDailies, ...deregistrations, hrv: [{ userId: "4aacafe82427c251df9c9592d0c06768", summaryId: "x473db21-6295abc4" }] },
      NOW,
    );
    expect(events.map((event) => event.eventId.split(":")[0])).toEqual(["dailies", "deregistrations"]);
    expect(garminWebhook.parse({ hrv: [{ userId: "u", summaryId: "x473db21-6295abc4" }] }, NOW)).toEqual([]);
  });

  it("ignores items that name no user, since they cannot be routed", () => {
    expect(garminWebhook.parse({ dailies: [{ summaryId: "orphan" }, "text", null] }, NOW)).toEqual([]);
  });

  it("still delivers a summary without a summaryId, so normalize can record why it was skipped", () => {
    const [event] = garminWebhook.parse({ epochs: [{ userId: "u-1", startTimeInSeconds: 1454418900 }] }, NOW);
    expect(event!.eventId).toMatch(/^epochs:content:u-1:[0-9a-z]+$/);
    expect(normalizeGarmin("epochs", event!.pages![0]!.body).skipped).toEqual([{ externalId: null, reason: "epochs: missing summaryId" }]);
  });

  for (const body of [[], "dailies", null, {}, { something: [] }, { dailies: {} }, { deregistrations: "4aacafe8" }]) {
    it(`rejects ${JSON.stringify(body)} as not the documented shape`, () => {
      expect(() => garminWebhook.parse(body, NOW)).toThrow(MalformedPayloadError);
    });
  }
});

describe("isGarminCallbackUrl", () => {
  const cases: [string, boolean][] = [
    ["https://apis.garmin.com/wellness-api/rest/dailies?uploadStartTimeInSeconds=1&uploadEndTimeInSeconds=2&token=t", true],
    ["https://apis.garmin.com/wellness-api/rest/sleeps", true],
    ["https://apis.garmin.com/wellness-api/rest/epochs?x=1", true],
    ["http://apis.garmin.com/wellness-api/rest/dailies", false],
    ["https://apis.garmin.com:8443/wellness-api/rest/dailies", false],
    ["https://user:pass@apis.garmin.com/wellness-api/rest/dailies", false],
    ["https://apis.garmin.com.attacker.example/wellness-api/rest/dailies", false],
    ["https://attacker.example/wellness-api/rest/dailies?next=https://apis.garmin.com/", false],
    ["https://apis.garmin.com/wellness-api/rest/../../internal/dailies", false],
    ["https://apis.garmin.com/wellness-api/rest/%2e%2e/dailies", false],
    ["https://apis.garmin.com/wellness-api/rest/user/registration", false],
    ["https://apis.garmin.com/wellness-api/rest/backfill/dailies", false],
    ["https://apis.garmin.com/wellness-api/rest/hrv", false],
    ["not a url", false],
  ];
  for (const [url, allowed] of cases) {
    it(`${allowed ? "allows" : "refuses"} ${url}`, () => {
      expect(isGarminCallbackUrl(url)).toBe(allowed);
    });
  }
});

describe("the /webhooks/garmin endpoint", () => {
  it("answers Garmin 200 with the right token, 401 without, and queues a retried push with the same event id", async () => {
    const routes = webhookRoutes({ now: () => NOW });
    const queue = recordingQueue<WebhookJob>();
    const bindings = { ...env, GARMIN_WEBHOOK_SECRET: SECRET, WEBHOOK_QUEUE: queue };
    const post = (search: string, body: unknown) =>
      routes.request(`/garmin${search}`, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }, bindings);
    const summaryId = `sync-test-${crypto.randomUUID()}`;
    const push = { dailies: [{ ...dtuPushDailies.dailies[0]!, summaryId }] };

    expect((await post("?token=wrong", push)).status).toBe(401);
    expect(queue.sent).toEqual([]);
    expect((await post(`?token=${SECRET}`, push)).status).toBe(200);
    expect((await post(`?token=${SECRET}`, push)).status).toBe(200);
    // The webhook consumer dedupes by event id, so a retry must carry the same one.
    expect(queue.sent.map((job) => job.event.eventId)).toEqual([expect.stringMatching(new RegExp(`^dailies:${summaryId}:`)), queue.sent[0]!.event.eventId]);
    expect(garminWebhook.maxBodyBytes).toBe(10 * 1024 * 1024);
  });
});
