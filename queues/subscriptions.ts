/**
 * Daily upkeep of provider webhook subscriptions that expire (Oura). Providers configured in their own dashboards
 * (WHOOP, Garmin, Google Health) need nothing here.
 */
export async function renewWebhookSubscriptions(env: Env, now: number): Promise<void> {
  if (!env.OURA_CLIENT_ID || !env.OURA_CLIENT_SECRET || !env.OURA_WEBHOOK_VERIFICATION_TOKEN) return;
  const { ensureOuraSubscriptions } = await import("../src/providers/oura/subscriptions");
  const result = await ensureOuraSubscriptions(env, (input, init) => fetch(input, init), `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/webhooks/oura`, now);
  console.log(JSON.stringify({ event: "oura_subscriptions", ...result }));
}
