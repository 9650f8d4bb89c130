import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { sign } from "hono/utils/jwt/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { consumeWebhookBatch } from "../../queues/webhook-consumer";
import { createApp } from "../../src/app";
import { database } from "../../src/db/client";
import { integrationConnections } from "../../src/db/schema";
import type { SyncJob, WebhookJob } from "../../src/sync/jobs";
import { connectThroughSandbox, ORIGIN, recordingQueue, signIn } from "../helpers";

type Jwk = JsonWebKey & { kid: string };

async function rsaKey(kid: string): Promise<{ privateJwk: Jwk; publicJwk: Jwk }> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const privateJwk = { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey), kid, alg: "RS256" };
  const publicJwk = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), kid, alg: "RS256", use: "sig" };
  return { privateJwk, publicJwk };
}

let google: Jwk;
let forger: Jwk;

beforeAll(async () => {
  const kid = `test-${crypto.randomUUID()}`;
  const published = await rsaKey(kid);
  google = published.privateJwk;
  // Same kid, a key Google never published: a forged signature.
  forger = (await rsaKey(kid)).privateJwk;
  const response = await fetch(`${env.TEST_PEERS.oauth}/__control/google-certs`, { method: "POST", body: JSON.stringify([published.publicJwk]) });
  expect(response.ok).toBe(true);
});

/** The claims Pub/Sub's push puts in its OIDC token (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions). */
function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: env.GMAIL_PUSH_AUDIENCE,
    azp: "113774264463038321964",
    email: env.GMAIL_PUSH_SERVICE_ACCOUNT,
    email_verified: true,
    exp: now + 3600,
    iat: now,
    iss: "https://accounts.google.com",
    sub: "113774264463038321964",
    ...overrides,
  };
}

/** Pub/Sub's push body (https://cloud.google.com/pubsub/docs/push) carrying Gmail's notification (…/gmail/api/guides/push). */
function pushBody(emailAddress: string, messageId: string, historyId = "424242") {
  return {
    message: {
      data: btoa(JSON.stringify({ emailAddress, historyId })),
      messageId,
      message_id: messageId,
      publishTime: "2026-11-29T21:13:55.749Z",
      publish_time: "2026-11-29T21:13:55.749Z",
    },
    subscription: "projects/wellness-os-dev/subscriptions/gmail-push",
  };
}

async function push(token: string | null, body: unknown) {
  const queue = recordingQueue<WebhookJob>();
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${ORIGIN}/webhooks/gmail-push`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }),
    { ...env, WEBHOOK_QUEUE: queue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, queued: queue.sent };
}

async function gmailConnected() {
  const session = await signIn();
  await connectThroughSandbox("gmail", session, { callbackEnv: { SYNC_QUEUE: recordingQueue() } });
  const [row] = await database(env.DB)
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "gmail")));
  if (!row?.externalUserId) throw new Error("no gmail connection");
  return { userId: session.userId, connectionId: row.id, address: row.externalUserId };
}

describe("Gmail's Pub/Sub push", () => {
  it("a valid push is queued at once; a redelivery of the same Pub/Sub message pulls once", async () => {
    const { userId, connectionId, address } = await gmailConnected();
    const messageId = `pubsub-${crypto.randomUUID()}`;
    const token = await sign(claims(), google, "RS256");
    const first = await push(token, pushBody(address, messageId));
    const second = await push(token, pushBody(address, messageId));
    expect([first.status, second.status]).toEqual([204, 204]);
    expect(first.queued).toEqual([{ type: "webhook", source: "gmail", event: expect.objectContaining({ eventId: messageId, externalUserId: address }) }]);

    const syncQueue = recordingQueue<SyncJob>();
    const now = Date.now();
    const deliveries = [...first.queued, ...second.queued].map((body, i) => ({ id: `m${i}-${messageId}`, timestamp: new Date(now), attempts: 1, body }));
    await consumeWebhookBatch(createMessageBatch("wellness-webhooks", deliveries), { ...env, SYNC_QUEUE: syncQueue }, { now });
    const pulls = syncQueue.sent.filter((job) => job.userId === userId);
    expect(pulls.map((job) => [job.connectionId, job.trigger, job.action ?? "pull"])).toEqual([[connectionId, "webhook", "pull"]]);
  });

  const refused: [string, () => Promise<string | null>, number][] = [
    ["no token", async () => null, 401],
    ["a wrong audience", () => sign(claims({ aud: "https://elsewhere.example/push" }), google, "RS256"), 401],
    ["a wrong issuer", () => sign(claims({ iss: "https://issuer.example" }), google, "RS256"), 401],
    ["another service account", () => sign(claims({ email: "someone@other-project.iam.gserviceaccount.com" }), google, "RS256"), 403],
    ["an unverified email", () => sign(claims({ email_verified: false }), google, "RS256"), 403],
    ["an expired token", () => sign(claims({ exp: Math.floor(Date.now() / 1000) - 60, iat: Math.floor(Date.now() / 1000) - 3700 }), google, "RS256"), 401],
    ["a forged signature", () => sign(claims(), forger, "RS256"), 401],
  ];
  for (const [what, token, status] of refused) {
    it(`a push with ${what} gets ${status} and queues nothing`, async () => {
      const { address } = await gmailConnected();
      const result = await push(await token(), pushBody(address, `pubsub-${crypto.randomUUID()}`));
      expect(result.status).toBe(status);
      expect(result.queued).toEqual([]);
    });
  }

  it("a verified push whose data is not a Gmail notification gets 400 and queues nothing", async () => {
    const token = await sign(claims(), google, "RS256");
    const body = { message: { data: btoa("not json"), messageId: "1" }, subscription: "projects/p/subscriptions/s" };
    expect(await push(token, body)).toEqual({ status: 400, queued: [] });
  });
});
