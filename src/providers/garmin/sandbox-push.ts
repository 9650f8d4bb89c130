import type { GarminKind } from "./normalize";

/**
 * The Garmin sandbox's side of a push: POSTs summaries to our own `/webhooks/garmin`, the endpoint a Garmin
 * developer portal is configured with, carrying `?token=` exactly as the configured URL would (Garmin signs
 * nothing). It goes through the app itself, in-process (the development build only: the sandbox is never in
 * production), so the real route verifies, parses and queues it like any push from Garmin.
 */
export async function pushToWebhook(env: Env, kind: GarminKind, pushes: readonly object[][]): Promise<void> {
  if (pushes.length === 0) return;
  const token = env.GARMIN_WEBHOOK_SECRET;
  if (!token) {
    // Without the secret the route refuses every push (401); say why the backfill stays empty, once per request.
    console.warn(JSON.stringify({ event: "garmin_sandbox_push_skipped", reason: "GARMIN_WEBHOOK_SECRET is not set (see envs/development.vars)" }));
    return;
  }
  // Loaded on first push: the app imports the provider registry, which this sandbox's adapter is part of.
  const { createApp } = await import("../../app");
  const app = createApp();
  for (const summaries of pushes) {
    const request = new Request(`https://garmin-sandbox.invalid/webhooks/garmin?token=${encodeURIComponent(token)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "Garmin Health API sandbox" },
      body: JSON.stringify({ [kind]: summaries }),
    });
    const response = await app.fetch(request, env);
    await response.body?.cancel();
    if (!response.ok) {
      console.warn(JSON.stringify({ event: "garmin_sandbox_push_refused", kind, status: response.status }));
      return;
    }
  }
}
