import { Hono } from "hono";
import { randomToken } from "../../lib/encoding";
import { daysIn, int, normal, random, seedOf, uuidFrom } from "../../sandbox/generate";
import type { SandboxEnv } from "../../sandbox/types";

/**
 * Development only: a local Junction API (its real sandbox hosts and paths, reached through the development
 * sandbox's fetch) and the HealthKit- / Health Connect-shaped data the development "phone" sends. Deterministic per
 * (Junction user, source, day), so a historical pull and a later webhook describe the same night.
 */

const DAY_MS = 86_400_000;
/** With no JUNCTION_API_KEY, development calls carry this placeholder (src/providers/junction/api.ts). */
const SANDBOX_KEY = "sandbox";

const SOURCE_META: Record<string, { name: string; logo: string }> = {
  apple_health_kit: { name: "Apple HealthKit", logo: "https://storage.googleapis.com/vital-assets/apple_health.png" },
  health_connect: { name: "Health Connect", logo: "https://storage.googleapis.com/vital-assets/health_connect.png" },
};

export const sandboxJunctionUserId = (clientUserId: string) => uuidFrom("junction-user", clientUserId);

function sourceOf(slug: string) {
  const meta = SOURCE_META[slug] ?? { name: slug, logo: "" };
  return { ...meta, slug };
}

/** A night of sleep ending on `day`, as Junction's sleep summary. */
export function sandboxSleep(userId: string, slug: string, day: string) {
  const rand = random(seedOf("junction-sleep", userId, slug, day));
  const stop = Date.parse(`${day}T06:00:00Z`) + int(rand, 0, 40, -60, 60) * 60_000;
  const duration = int(rand, 7.6 * 3600, 2400, 5 * 3600, 10 * 3600);
  const awake = int(rand, 1800, 600, 300, 4000);
  const deep = int(rand, 0.2 * (duration - awake), 900, 1800, 9000);
  const rem = int(rand, 0.22 * (duration - awake), 900, 1800, 9000);
  const light = Math.max(0, duration - awake - deep - rem);
  const start = stop - duration * 1000;
  return {
    id: uuidFrom("junction-sleep", userId, slug, day),
    user_id: userId,
    date: `${day}T00:00:00+00:00`,
    calendar_date: day,
    bedtime_start: new Date(start).toISOString(),
    bedtime_stop: new Date(stop).toISOString(),
    timezone_offset: 0,
    duration,
    total: deep + rem + light,
    awake,
    light,
    rem,
    deep,
    score: null,
    hr_lowest: int(rand, 50, 4, 40, 70),
    hr_average: int(rand, 57, 4, 45, 80),
    efficiency: Math.round(((deep + rem + light) / duration) * 1000) / 10,
    latency: int(rand, 600, 300, 60, 2400),
    average_hrv: Math.round(normal(rand, 55, 10, 20, 120) * 10) / 10,
    respiratory_rate: Math.round(normal(rand, 14.5, 1, 10, 20) * 10) / 10,
    source: sourceOf(slug),
  };
}

/** A day of activity, as Junction's activity summary. */
export function sandboxActivity(userId: string, slug: string, day: string) {
  const rand = random(seedOf("junction-activity", userId, slug, day));
  const steps = int(rand, 8000, 2500, 800, 20000);
  return {
    id: uuidFrom("junction-activity", userId, slug, day),
    user_id: userId,
    date: `${day}T00:00:00+00:00`,
    calendar_date: day,
    steps,
    distance: Math.round(steps * 0.76),
    calories_active: int(rand, 450, 120, 80, 1200),
    calories_total: int(rand, 2200, 200, 1500, 3500),
    timezone_offset: 0,
    source: sourceOf(slug),
  };
}

/** Heart rate every 15 minutes of `day`, as Junction's timeseries samples. */
export function sandboxHeartRate(userId: string, slug: string, day: string, until = Number.POSITIVE_INFINITY) {
  const rand = random(seedOf("junction-heartrate", userId, slug, day));
  const midnight = Date.parse(`${day}T00:00:00Z`);
  const samples = [];
  for (let t = midnight; t < midnight + DAY_MS && t <= until; t += 15 * 60_000) {
    samples.push({ timestamp: new Date(t).toISOString(), timezone_offset: 0, type: "automatic", unit: "bpm", value: int(rand, 68, 9, 45, 150) });
  }
  return samples;
}

function windowDays(c: { req: { query(name: string): string | undefined } }): string[] {
  const start = Date.parse(`${c.req.query("start_date") ?? ""}T00:00:00Z`);
  const end = Date.parse(`${c.req.query("end_date") ?? ""}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return [];
  return daysIn(start, end + DAY_MS).slice(-90);
}

export const junctionSandboxApi = new Hono<SandboxEnv>()
  .use(async (c, next) => {
    if (c.req.header("x-vital-api-key") !== SANDBOX_KEY) return c.json({ detail: "Invalid API key" }, 401);
    await next();
  })
  .post("/v2/user", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { client_user_id?: unknown };
    if (typeof body.client_user_id !== "string" || !body.client_user_id) return c.json({ detail: "client_user_id is required" }, 422);
    return c.json({ user_id: sandboxJunctionUserId(body.client_user_id), client_user_id: body.client_user_id });
  })
  .get("/v2/user/resolve/:clientUserId", (c) =>
    c.json({ user_id: sandboxJunctionUserId(c.req.param("clientUserId")), client_user_id: c.req.param("clientUserId") }),
  )
  .post("/v2/user/:userId/sign_in_token", (c) => c.json({ user_id: c.req.param("userId"), sign_in_token: `sandbox-sign-in-${randomToken(16)}` }))
  .delete("/v2/user/:userId/:provider", (c) => c.json({ success: true }))
  // Junction Link, simulated by the development phone's link page (src/providers/junction/phone-page.tsx).
  .post("/v2/link/token", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { user_id?: unknown; provider?: unknown };
    if (typeof body.user_id !== "string" || typeof body.provider !== "string") return c.json({ detail: "user_id and provider are required" }, 422);
    const linkToken = `sandbox-link-${randomToken(16)}`;
    const page = new URL("/dev/phone/link", c.env.PUBLIC_BASE_URL);
    page.searchParams.set("provider", body.provider);
    return c.json({ link_token: linkToken, link_web_url: page.toString() });
  })
  .get("/v2/summary/:resource/:userId", (c) => {
    const { resource, userId } = c.req.param();
    const slug = c.req.query("provider") ?? "apple_health_kit";
    const days = windowDays(c);
    if (resource === "sleep") return c.json({ sleep: days.map((day) => sandboxSleep(userId, slug, day)) });
    if (resource === "activity") return c.json({ activity: days.map((day) => sandboxActivity(userId, slug, day)) });
    return c.json({ [resource]: [] });
  })
  .get("/v2/timeseries/:userId/:resource", (c) => {
    const { resource, userId } = c.req.param();
    const slug = c.req.query("provider") ?? "apple_health_kit";
    if (resource !== "heartrate") return c.json([]);
    return c.json(windowDays(c).flatMap((day) => sandboxHeartRate(userId, slug, day, Date.now())));
  });
