import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sandboxCredentials } from "../../sandbox/credentials";
import { createSandboxFetch } from "../../sandbox/fetch";
import subscriptionsDocs from "./fixtures/webhook-subscriptions.docs-current.json";
import { ensureOuraSubscriptions, OuraSubscriptionError, SUBSCRIBED_DATA_TYPES, SUBSCRIBED_EVENT_TYPES } from "./subscriptions";

const DAY_MS = 86_400_000;
const SUBSCRIPTIONS = "https://api.ouraring.com/v2/webhook/subscription";

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** The sandbox's fetch, recording what ensureOuraSubscriptions sends. */
function recordingSandbox(sent: Sent[]): typeof fetch {
  const sandbox = createSandboxFetch(env);
  return async (input, init) => {
    const request = new Request(input, init);
    sent.push({ method: request.method, url: request.url, headers: request.headers, body: await request.clone().text() });
    return sandbox(request);
  };
}

async function appEnv(overrides: Partial<Env> = {}): Promise<Env> {
  const credentials = await sandboxCredentials("oura", env);
  return {
    ...env,
    OURA_CLIENT_ID: credentials.clientId,
    OURA_CLIENT_SECRET: credentials.clientSecret!,
    OURA_WEBHOOK_VERIFICATION_TOKEN: "verify-me-please",
    ...overrides,
  } as Env;
}

const uniqueCallback = () => `https://wellness-${crypto.randomUUID().slice(0, 8)}.example/webhooks/oura`;

async function listed(callbackUrl: string) {
  const credentials = await sandboxCredentials("oura", env);
  const response = await createSandboxFetch(env)(SUBSCRIPTIONS, {
    headers: { "x-client-id": credentials.clientId, "x-client-secret": credentials.clientSecret! },
  });
  const all = (await response.json()) as { id: string; callback_url: string; event_type: string; data_type: string; expiration_time: string }[];
  return all.filter((subscription) => subscription.callback_url === callbackUrl);
}

describe("ensureOuraSubscriptions against the Oura sandbox", () => {
  it("creates one subscription per (create|update) × data type we pull, with the client credentials and verification token", async () => {
    const sent: Sent[] = [];
    const callbackUrl = uniqueCallback();
    const counts = await ensureOuraSubscriptions(await appEnv(), recordingSandbox(sent), callbackUrl, Date.now());
    expect(counts).toEqual({ created: 8, renewed: 0, unchanged: 0 });

    const subscriptions = await listed(callbackUrl);
    const pairs = subscriptions.map((s) => `${s.event_type}:${s.data_type}`).sort();
    expect(pairs).toEqual(SUBSCRIBED_EVENT_TYPES.flatMap((e) => SUBSCRIBED_DATA_TYPES.map((d) => `${e}:${d}`)).sort());
    const credentials = await sandboxCredentials("oura", env);
    for (const request of sent) {
      expect(request.headers.get("x-client-id")).toBe(credentials.clientId);
      expect(request.headers.get("x-client-secret")).toBe(credentials.clientSecret);
      expect(request.headers.has("Authorization")).toBe(false);
    }
    const creates = sent.filter((request) => request.method === "POST");
    expect(creates).toHaveLength(8);
    for (const create of creates) {
      expect(JSON.parse(create.body)).toMatchObject({ callback_url: callbackUrl, verification_token: "verify-me-please" });
    }
  });

  it("lists subscriptions in the documented shape", async () => {
    const callbackUrl = uniqueCallback();
    await ensureOuraSubscriptions(await appEnv(), createSandboxFetch(env), callbackUrl, Date.now());
    const [subscription] = await listed(callbackUrl);
    expect(Object.keys(subscription!).sort()).toEqual(Object.keys(subscriptionsDocs[0]!).sort());
    expect(Date.parse(subscription!.expiration_time)).toBeGreaterThan(Date.now());
  });

  it("changes nothing on a second run while the subscriptions are far from expiry", async () => {
    const callbackUrl = uniqueCallback();
    await ensureOuraSubscriptions(await appEnv(), createSandboxFetch(env), callbackUrl, Date.now());
    const sent: Sent[] = [];
    expect(await ensureOuraSubscriptions(await appEnv(), recordingSandbox(sent), callbackUrl, Date.now())).toEqual({ created: 0, renewed: 0, unchanged: 8 });
    expect(sent.map((request) => request.method)).toEqual(["GET"]);
    expect(await listed(callbackUrl)).toHaveLength(8);
  });

  it("renews the ones that expire within 7 days, through PUT /renew/{id}", async () => {
    const callbackUrl = uniqueCallback();
    await ensureOuraSubscriptions(await appEnv(), createSandboxFetch(env), callbackUrl, Date.now());
    const subscriptions = await listed(callbackUrl);
    const earliestExpiry = Math.min(...subscriptions.map((s) => Date.parse(s.expiration_time)));

    const sent: Sent[] = [];
    const sixDaysBefore = earliestExpiry - 6 * DAY_MS;
    expect(await ensureOuraSubscriptions(await appEnv(), recordingSandbox(sent), callbackUrl, sixDaysBefore)).toEqual({ created: 0, renewed: 8, unchanged: 0 });
    const renewed = sent.filter((request) => request.method === "PUT").map((request) => request.url);
    expect(renewed.sort()).toEqual(subscriptions.map((s) => `${SUBSCRIPTIONS}/renew/${s.id}`).sort());

    const eightDaysBefore = earliestExpiry - 8 * DAY_MS;
    expect(await ensureOuraSubscriptions(await appEnv(), createSandboxFetch(env), callbackUrl, eightDaysBefore)).toMatchObject({ renewed: 0, unchanged: 8 });
  });

  it("leaves subscriptions for other callback URLs alone", async () => {
    const mine = uniqueCallback();
    const theirs = uniqueCallback();
    await ensureOuraSubscriptions(await appEnv(), createSandboxFetch(env), theirs, Date.now());
    expect(await ensureOuraSubscriptions(await appEnv(), createSandboxFetch(env), mine, Date.now())).toEqual({ created: 8, renewed: 0, unchanged: 0 });
    expect(await listed(theirs)).toHaveLength(8);
  });

  it("fails clearly, without the secret, when Oura refuses the client credentials", async () => {
    const env2 = await appEnv({ OURA_CLIENT_SECRET: "wrong-secret-x" });
    const failure = ensureOuraSubscriptions(env2, createSandboxFetch(env), uniqueCallback(), Date.now());
    await expect(failure).rejects.toThrow(OuraSubscriptionError);
    await expect(failure).rejects.toThrow("Oura listing webhook subscriptions answered 401");
    await expect(failure).rejects.not.toThrow(/wrong-secret-x/);
  });

  it("refuses to run without client credentials and a verification token", async () => {
    for (const missing of ["OURA_CLIENT_ID", "OURA_CLIENT_SECRET", "OURA_WEBHOOK_VERIFICATION_TOKEN"] as const) {
      const sent: Sent[] = [];
      await expect(ensureOuraSubscriptions(await appEnv({ [missing]: "" }), recordingSandbox(sent), uniqueCallback(), Date.now()), missing).rejects.toThrow(
        OuraSubscriptionError,
      );
      expect(sent).toEqual([]);
    }
  });
});
