// Provider notifications for the scale benchmark, built and authenticated the way each provider does it (see each
// adapter's webhook.ts), for people who are really connected (their provider ids are read from D1):
//   Oura      HMAC-SHA256(client secret, timestamp + body), upper-case hex, x-oura-signature / x-oura-timestamp;
//   WHOOP     base64 HMAC-SHA256(client secret, timestamp + body), X-WHOOP-Signature(-Timestamp);
//   Google    the subscriber secret in Authorization (Fitbit data comes through the Google Health API);
//   Garmin    unsigned pushes to the portal-configured URL carrying our secret as ?token=, data in the body.
// Garmin's bodies follow src/providers/garmin/fixtures/dtu-push-*.json (the published push examples), one summary
// per day and kind, with the person's id, a stable summary id and the day's times.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const BENCH_SECRETS = {
  OURA_CLIENT_SECRET: "bench-only-oura",
  WHOOP_CLIENT_SECRET: "bench-only-whoop",
  GOOGLE_HEALTH_WEBHOOK_SECRET: "Bearer bench-google-health-secret-not-a-real-secret",
  GARMIN_WEBHOOK_SECRET: "bench-garmin-webhook-secret-not-a-real-secret",
} as const;

export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const DAY_MS = 86_400_000;
const fixtures = join(import.meta.dirname, "..", "..", "..", "src", "providers", "garmin", "fixtures");
const garminTemplate = (kind: "dailies" | "sleeps" | "epochs") => {
  const item = (JSON.parse(readFileSync(join(fixtures, `dtu-push-${kind}.json`), "utf8")) as Record<string, Record<string, unknown>[]>)[kind]![0]!;
  const { userAccessToken: _legacy, ...rest } = item;
  return rest;
};
const GARMIN = { dailies: garminTemplate("dailies"), sleeps: garminTemplate("sleeps"), epochs: garminTemplate("epochs") };
export type GarminKind = keyof typeof GARMIN;
const EPOCH_SECONDS = 900;

export function ouraDelivery(userId: string, dataType: string, eventTime: number, now = Date.now()): Delivery {
  const body = JSON.stringify({
    event_type: "update",
    data_type: dataType,
    object_id: randomUUID(),
    event_time: new Date(eventTime).toISOString(),
    user_id: userId,
  });
  const timestamp = String(now);
  const signature = createHmac("sha256", BENCH_SECRETS.OURA_CLIENT_SECRET)
    .update(timestamp + body)
    .digest("hex")
    .toUpperCase();
  return { path: "/webhooks/oura", headers: { "Content-Type": "application/json", "x-oura-signature": signature, "x-oura-timestamp": timestamp }, body };
}

export function whoopDelivery(userId: string, type: string, now = Date.now()): Delivery {
  const body = JSON.stringify({ user_id: Number(userId), id: randomUUID(), type, trace_id: randomUUID() });
  const timestamp = String(now);
  const signature = createHmac("sha256", BENCH_SECRETS.WHOOP_CLIENT_SECRET)
    .update(timestamp + body)
    .digest("base64");
  return {
    path: "/webhooks/whoop",
    headers: { "Content-Type": "application/json", "X-WHOOP-Signature": signature, "X-WHOOP-Signature-Timestamp": timestamp },
    body,
  };
}

export function googleHealthDelivery(healthUserId: string, dataType: string, start: number, end: number): Delivery {
  const body = JSON.stringify({
    data: {
      version: "1",
      clientProvidedSubscriptionName: randomUUID(),
      healthUserId,
      operation: "UPSERT",
      dataType,
      intervals: [{ physicalTimeInterval: { startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString() } }],
    },
  });
  return { path: "/webhooks/google-health", headers: { "Content-Type": "application/json", Authorization: BENCH_SECRETS.GOOGLE_HEALTH_WEBHOOK_SECRET }, body };
}

/** One Garmin push: a day's daily summary, the night's sleep, or epochs (15-minute slots) starting at `slot`. */
export function garminPush(userId: string, kind: GarminKind, dayStart: number, slots: { from: number; count: number } = { from: 0, count: 96 }): Delivery {
  const day = new Date(dayStart).toISOString().slice(0, 10);
  const start = Math.floor(dayStart / 1000);
  const items =
    kind === "epochs"
      ? Array.from({ length: slots.count }, (_, i) => {
          const at = start + (slots.from + i) * EPOCH_SECONDS;
          return { ...GARMIN.epochs, userId, summaryId: `bench-${userId}-epoch-${at}`, startTimeInSeconds: at, steps: (at / EPOCH_SECONDS) % 97 };
        })
      : [
          {
            ...GARMIN[kind],
            userId,
            summaryId: `bench-${userId}-${kind}-${day}`,
            calendarDate: day,
            startTimeInSeconds: kind === "sleeps" ? start - 3600 : start,
          },
        ];
  return {
    path: `/webhooks/garmin?token=${encodeURIComponent(BENCH_SECRETS.GARMIN_WEBHOOK_SECRET)}`,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ [kind]: items }),
  };
}

export const utcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** Sends one delivery; resolves to its status (the provider only cares that it was accepted). */
export async function deliver(baseUrl: string, delivery: Delivery): Promise<number> {
  const response = await fetch(new URL(delivery.path, baseUrl), { method: "POST", headers: delivery.headers, body: delivery.body });
  await response.arrayBuffer();
  return response.status;
}
