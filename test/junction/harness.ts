import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { Webhook as SvixWebhook } from "svix";
import { consumeWebhookBatch, type WebhookDeps } from "../../queues/webhook-consumer";
import { createApp } from "../../src/app";
import { integrationConnections, junctionUsers, webhookEvents } from "../../src/db/schema";
import type { SourceId } from "../../src/domain/integration";
import type { WebhookJob } from "../../src/sync/jobs";
import { db, recordingQueue, type Session, signIn } from "../helpers";

/**
 * Junction deliveries as Junction's Svix sends them (signed by the svix library), through the real endpoint, and
 * the queued jobs handed to the real webhook consumer.
 */

export const ORIGIN = "https://integrations.wellness-os.example";
// Built at run time: no whole `whsec_` secret in the repository.
export const WEBHOOK_SECRET = `whsec_${btoa("junction-flow-test")}`;

export interface JunctionPersonFixture {
  userId: string;
  junctionUserId: string;
  session: Session;
}

/** A signed-in person whose Junction user exists (as the phone handoff leaves it). */
export async function junctionPerson(): Promise<JunctionPersonFixture> {
  const session = await signIn();
  const junctionUserId = crypto.randomUUID();
  await db().insert(junctionUsers).values({ userId: session.userId, junctionUserId, mode: "live" });
  return { userId: session.userId, junctionUserId, session };
}

/** Junction's envelope for this person, with the event's source slug where the docs put it. */
export function envelope(person: Pick<JunctionPersonFixture, "userId" | "junctionUserId">, eventType: string, data: Record<string, unknown>) {
  return { event_type: eventType, user_id: person.junctionUserId, client_user_id: person.userId, team_id: "6b74423d-0504-4470-9afb-477252ccf67a", data };
}

export interface Delivery {
  status: number;
  jobs: WebhookJob[];
  svixId: string;
}

/** POSTs one delivery to /webhooks/junction, signed by the svix library; returns the answer and what it queued. */
export async function deliver(
  body: unknown,
  options: { svixId?: string; secret?: string; signedAt?: Date; envOverrides?: Partial<Env> } = {},
): Promise<Delivery> {
  const raw = JSON.stringify(body);
  const svixId = options.svixId ?? `msg_${crypto.randomUUID()}`;
  const signedAt = options.signedAt ?? new Date();
  const signature = new SvixWebhook(options.secret ?? WEBHOOK_SECRET).sign(svixId, signedAt, raw);
  const queue = recordingQueue<WebhookJob>();
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${ORIGIN}/webhooks/junction`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "svix-id": svixId,
        "svix-timestamp": String(Math.floor(signedAt.getTime() / 1000)),
        "svix-signature": signature,
      },
      body: raw,
    }),
    { ...env, JUNCTION_WEBHOOK_SECRET: WEBHOOK_SECRET, WEBHOOK_QUEUE: queue, ...options.envOverrides },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, jobs: queue.sent, svixId };
}

/** Runs the consumer over the jobs as the queue delivers them; returns which messages were acked or retried. */
export async function consume(jobs: readonly WebhookJob[], options: { deps?: WebhookDeps; envOverrides?: Partial<Env> } = {}) {
  const messages = jobs.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body }));
  const batch = createMessageBatch("wellness-webhooks", messages);
  const ctx = createExecutionContext();
  const retries = new Map<string, number | undefined>();
  const observed = {
    ...batch,
    messages: batch.messages.map((message) =>
      Object.assign(Object.create(Object.getPrototypeOf(message)), message, {
        ack: () => message.ack(),
        retry: (retry?: QueueRetryOptions) => {
          retries.set(message.id, retry?.delaySeconds);
          message.retry(retry);
        },
      }),
    ),
  } as MessageBatch<unknown>;
  await consumeWebhookBatch(observed, { ...env, ...options.envOverrides }, options.deps);
  const verdict = await getQueueResult(batch, ctx);
  return { verdict, retries };
}

/** The ledger's row for one delivery. */
export async function ledgerRow(svixId: string) {
  const rows = await db()
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.provider, "junction"), eq(webhookEvents.eventId, svixId)));
  return rows;
}

export async function connectionOf(userId: string, source: SourceId) {
  const [row] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, source)));
  return row;
}

export const appleSource = { logo: "https://storage.googleapis.com/vital-assets/apple_health.png", name: "Apple HealthKit", slug: "apple_health_kit" };
export const healthConnectSource = { logo: "https://storage.googleapis.com/vital-assets/health_connect.png", name: "Health Connect", slug: "health_connect" };
