import { z } from "zod";

const SUBSCRIPTION_ENDPOINT = "https://api.ouraring.com/v2/webhook/subscription";
const RENEW_ENDPOINT = "https://api.ouraring.com/v2/webhook/subscription/renew";

/** Oura wants one subscription per (event_type, data_type) pair; deletes are not subscribed (see webhook.ts). */
export const SUBSCRIBED_EVENT_TYPES = ["create", "update"] as const;
export const SUBSCRIBED_DATA_TYPES = ["daily_sleep", "sleep", "daily_readiness", "daily_activity"] as const;

const RENEW_WITHIN_MS = 7 * 86_400_000;

const Subscription = z.object({
  id: z.string().min(1),
  callback_url: z.string(),
  event_type: z.string(),
  data_type: z.string(),
  expiration_time: z.string(),
});
type Subscription = z.infer<typeof Subscription>;

export interface SubscriptionCounts {
  created: number;
  renewed: number;
  unchanged: number;
}

export class OuraSubscriptionError extends Error {
  override name = "OuraSubscriptionError";
}

function managementHeaders(env: Env): Record<string, string> {
  const clientId = env.OURA_CLIENT_ID;
  const clientSecret = env.OURA_CLIENT_SECRET;
  if (!clientId || !clientSecret || !env.OURA_WEBHOOK_VERIFICATION_TOKEN) {
    throw new OuraSubscriptionError("Oura webhook subscriptions need OURA_CLIENT_ID, OURA_CLIENT_SECRET and OURA_WEBHOOK_VERIFICATION_TOKEN");
  }
  // Subscription management authenticates the application, not a person: client credentials in x-client-* headers.
  return { "x-client-id": clientId, "x-client-secret": clientSecret, Accept: "application/json" };
}

async function expectOk(response: Response, action: string): Promise<unknown> {
  if (!response.ok) {
    await response.body?.cancel();
    throw new OuraSubscriptionError(`Oura ${action} answered ${response.status}`);
  }
  return response.json();
}

async function listSubscriptions(fetcher: typeof fetch, headers: Record<string, string>): Promise<Subscription[]> {
  const body = await expectOk(await fetcher(SUBSCRIPTION_ENDPOINT, { headers }), "listing webhook subscriptions");
  const parsed = z.array(Subscription).safeParse(body);
  if (!parsed.success) throw new OuraSubscriptionError("Oura listed webhook subscriptions in an unexpected shape");
  return parsed.data;
}

function expiresAt(subscription: Subscription): number {
  const ms = Date.parse(subscription.expiration_time);
  // An unreadable expiry is treated as expiring now, so the subscription is renewed rather than left to lapse.
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Makes sure Oura notifies `callbackUrl` of every (create|update) × (daily_sleep|sleep|daily_readiness|daily_activity):
 * creates the missing subscriptions and renews those that expire within 7 days. Safe to run on every cron tick.
 */
export async function ensureOuraSubscriptions(env: Env, fetcher: typeof fetch, callbackUrl: string, now: number): Promise<SubscriptionCounts> {
  const headers = managementHeaders(env);
  const existing = (await listSubscriptions(fetcher, headers)).filter((subscription) => subscription.callback_url === callbackUrl);
  const counts: SubscriptionCounts = { created: 0, renewed: 0, unchanged: 0 };

  for (const eventType of SUBSCRIBED_EVENT_TYPES) {
    for (const dataType of SUBSCRIBED_DATA_TYPES) {
      const current = existing.find((subscription) => subscription.event_type === eventType && subscription.data_type === dataType);
      if (!current) {
        const response = await fetcher(SUBSCRIPTION_ENDPOINT, {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify({
            callback_url: callbackUrl,
            verification_token: env.OURA_WEBHOOK_VERIFICATION_TOKEN,
            event_type: eventType,
            data_type: dataType,
          }),
        });
        await expectOk(response, `creating the ${eventType} ${dataType} subscription`);
        counts.created++;
      } else if (expiresAt(current) - now <= RENEW_WITHIN_MS) {
        const response = await fetcher(`${RENEW_ENDPOINT}/${encodeURIComponent(current.id)}`, { method: "PUT", headers });
        await expectOk(response, `renewing the ${eventType} ${dataType} subscription`);
        counts.renewed++;
      } else {
        counts.unchanged++;
      }
    }
  }
  return counts;
}
