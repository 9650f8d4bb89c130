import { z } from "zod";
import { encodeHexLowerCase, hmacSha256 } from "../../lib/encoding";
import { development } from "../../platform/development";
import type { ProviderCallContext, PullContext } from "../types";
import { NOTIFY_ENDPOINT, withingsCall } from "./api";

/**
 * The notification categories ("appli") we subscribe each person to: 1 is weight and body composition
 * (meastypes 1, 5, 6, 8, 76, 77, 88, 91), 4 is heart and blood pressure (9, 10, 11). Source:
 * https://developer.withings.com/developer-guide/v3/data-api/notifications/notification-content/ (see fixtures/SOURCES.md).
 */
export const SUBSCRIBED_APPLIS = [1, 4] as const;

const Profiles = z.object({
  profiles: z.array(z.object({ appli: z.number().int(), callbackurl: z.string(), expires: z.number().optional(), comment: z.string().nullish() })),
});

/**
 * The secret in our callback URL: Withings signs nothing, so only someone who knows the URL can post to it. Set
 * `WITHINGS_WEBHOOK_SECRET` in production; in development without it (the sandbox), one derived from the session
 * secret, so a newcomer's sandbox scale can notify without configuration.
 */
export async function withingsWebhookSecret(env: Env): Promise<string | null> {
  if (env.WITHINGS_WEBHOOK_SECRET) return env.WITHINGS_WEBHOOK_SECRET;
  if (!development() || env.ENVIRONMENT !== "development" || !env.SESSION_SECRET) return null;
  return `dev${encodeHexLowerCase(await hmacSha256(env.SESSION_SECRET, "withings-webhook")).slice(0, 32)}`;
}

/** Our endpoint; the secret goes in its query string (`?key=`), which traces and logs drop (redact_query_string). */
export const callbackBase = (env: Pick<Env, "PUBLIC_BASE_URL">) => `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/webhooks/withings`;

export async function withingsCallbackUrl(env: Env): Promise<string | null> {
  const secret = await withingsWebhookSecret(env);
  return secret ? `${callbackBase(env)}?${new URLSearchParams({ key: secret })}` : null;
}

export interface SubscriptionCounts {
  created: number;
  removed: number;
  unchanged: number;
}

/**
 * Makes Withings notify our callback of this person's measures in every category we read: subscribes what is
 * missing (Withings drops a subscription after failed deliveries) and removes subscriptions to an older callback
 * of ours (a rotated secret). Runs with every scheduled sync, so the cron keeps them alive; costs 1 request when
 * all is well. Subscribing makes Withings check the callback URL (our HEAD/GET answer) before it says yes.
 */
export async function ensureWithingsSubscriptions(ctx: Pick<PullContext, "request" | "env">): Promise<SubscriptionCounts> {
  const callbackUrl = await withingsCallbackUrl(ctx.env);
  const counts: SubscriptionCounts = { created: 0, removed: 0, unchanged: 0 };
  if (!callbackUrl) return counts;
  const listed = Profiles.safeParse(await withingsCall(ctx, NOTIFY_ENDPOINT, { action: "list" }));
  const profiles = listed.success ? listed.data.profiles : [];
  const ours = callbackBase(ctx.env);
  for (const profile of profiles) {
    if (profile.callbackurl.startsWith(ours) && profile.callbackurl !== callbackUrl) {
      await withingsCall(ctx, NOTIFY_ENDPOINT, { action: "revoke", callbackurl: profile.callbackurl, appli: String(profile.appli) });
      counts.removed++;
    }
  }
  for (const appli of SUBSCRIBED_APPLIS) {
    if (profiles.some((profile) => profile.appli === appli && profile.callbackurl === callbackUrl)) {
      counts.unchanged++;
      continue;
    }
    await withingsCall(ctx, NOTIFY_ENDPOINT, { action: "subscribe", callbackurl: callbackUrl, appli: String(appli), comment: "Wellness OS" });
    counts.created++;
  }
  return counts;
}

/** On disconnect: stop Withings notifying us about this person (every category, our callback only). */
export async function revokeWithingsSubscriptions(call: ProviderCallContext, accessToken: string): Promise<void> {
  const ctx = {
    env: call.env,
    request: (url: string | URL, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${accessToken}`);
      return call.fetch(url, { ...init, headers });
    },
  };
  const listed = Profiles.safeParse(await withingsCall(ctx, NOTIFY_ENDPOINT, { action: "list" }));
  if (!listed.success) return;
  const ours = callbackBase(call.env);
  for (const profile of listed.data.profiles) {
    if (!profile.callbackurl.startsWith(ours)) continue;
    await withingsCall(ctx, NOTIFY_ENDPOINT, { action: "revoke", callbackurl: profile.callbackurl, appli: String(profile.appli) });
  }
}
