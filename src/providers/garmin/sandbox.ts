import type { Context } from "hono";
import { daysIn, int, normal, random, seedOf } from "../../sandbox/generate";
import { revokeByToken } from "../../sandbox/grants";
import { type ProviderSandbox, type SandboxEnv, sandboxApi, sandboxBearer } from "../../sandbox/types";
import { type GarminKind, isGarminKind } from "./normalize";
import { pushToWebhook } from "./sandbox-push";

const api = sandboxApi();

const DAY_S = 86_400;
const MAX_UPLOAD_WINDOW_S = DAY_S;
const MAX_BACKFILL_S = 90 * DAY_S;
/** Offsets a sandbox person's watch may display (Garmin's startTimeOffsetInSeconds): Chicago to Tokyo. */
const DEVICE_OFFSETS_S = [-21_600, -18_000, 0, 3_600, 7_200, 32_400];

api.use("/wellness-api/*", sandboxBearer("garmin"));

api.get("/wellness-api/rest/user/id", (c) => c.json({ userId: c.get("access").subject }));

api.delete("/wellness-api/rest/user/registration", async (c) => {
  await revokeByToken(c.env, (c.req.header("Authorization") ?? "").slice(7));
  return c.body(null, 204);
});

/** Garmin's error body (Health API Appendix E). */
const garminError = (c: Context<SandboxEnv>, status: 400 | 409, errorMessage: string) => c.json({ errorMessage }, status);

/** Two epoch-second query parameters, validated as Garmin does (required, seconds not milliseconds, ordered). */
function secondsRange(c: Context<SandboxEnv>, startName: string, endName: string, maxSeconds: number): { start: number; end: number } | string {
  const raw = [c.req.query(startName), c.req.query(endName)];
  if (raw.some((value) => value === undefined || !/^\d+$/.test(value))) return `${startName} and ${endName} are required unix timestamps in seconds`;
  const [start, end] = raw.map(Number) as [number, number];
  const inMillis = [start, end].find((value) => value > 99_999_999_999);
  if (inMillis !== undefined) return `timestamp '${inMillis}' appears to be in milliseconds. Please provide unix timestamps in seconds.`;
  if (end < start) return `${endName} is before ${startName}`;
  if (end - start > maxSeconds) return `the time range is longer than the maximum of ${maxSeconds} seconds`;
  return { start, end };
}

// The sandbox's model of a person: one watch sync every local morning, uploading the previous local day's daily
// and epochs and the night's sleep. Everything is derived from (subject, day), so a re-pull returns the same bytes.

function deviceOffset(subject: string): number {
  return DEVICE_OFFSETS_S[seedOf("garmin-offset", subject) % DEVICE_OFFSETS_S.length]!;
}

function idPrefix(subject: string): string {
  return `x${seedOf("garmin-user", subject).toString(16).padStart(8, "0").slice(0, 7)}`;
}

/** UTC epoch seconds of local midnight starting `day` on the person's watch. */
function localMidnight(subject: string, day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000 - deviceOffset(subject);
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - DAY_S * 1000).toISOString().slice(0, 10);
}

/** When the morning sync of local `day` uploads (epoch seconds): between 06:30 and 09:30 on the watch. */
function syncTime(subject: string, day: string): number {
  const rand = random(seedOf("garmin-sync", subject, day));
  return localMidnight(subject, day) + 23_400 + Math.floor(rand() * 10_800);
}

function dailySummary(subject: string, day: string) {
  const rand = random(seedOf("garmin-dailies", subject, day));
  const start = localMidnight(subject, day);
  const steps = int(rand, 8_500, 3_000, 400, 30_000);
  const moderate = int(rand, 1_800, 900, 0, 7_200);
  const vigorous = int(rand, 600, 500, 0, 3_600);
  const resting = int(rand, 58, 5, 42, 80);
  const stress = int(rand, 32, 8, 5, 80);
  return {
    summaryId: `${idPrefix(subject)}-${start.toString(16)}`,
    calendarDate: day,
    activityType: "GENERIC",
    activeKilocalories: int(rand, 480, 160, 40, 1_800),
    bmrKilocalories: int(rand, 1_650, 40, 1_500, 1_800),
    steps,
    distanceInMeters: Math.round(steps * normal(rand, 0.78, 0.04, 0.6, 0.95) * 10) / 10,
    durationInSeconds: DAY_S,
    activeTimeInSeconds: int(rand, 9_000, 2_500, 1_200, 20_000),
    startTimeInSeconds: start,
    startTimeOffsetInSeconds: deviceOffset(subject),
    moderateIntensityDurationInSeconds: moderate,
    vigorousIntensityDurationInSeconds: vigorous,
    floorsClimbed: int(rand, 9, 5, 0, 40),
    minHeartRateInBeatsPerMinute: resting - int(rand, 6, 2, 2, 10),
    averageHeartRateInBeatsPerMinute: resting + int(rand, 12, 4, 4, 25),
    maxHeartRateInBeatsPerMinute: int(rand, 150, 18, 110, 190),
    restingHeartRateInBeatsPerMinute: resting,
    averageStressLevel: stress,
    maxStressLevel: Math.min(100, stress + int(rand, 45, 10, 10, 70)),
    stressQualifier: stress < 26 ? "calm" : stress < 51 ? "balanced" : "stressful",
    stepsGoal: 8_000,
    intensityDurationGoalInSeconds: 9_000,
    floorsClimbedGoal: 10,
  };
}

type Stage = "deep" | "light" | "rem" | "awake";

/** The night that ends on the morning of `day` (Garmin files a sleep under the date it ends). */
function sleepSummary(subject: string, day: string) {
  const rand = random(seedOf("garmin-sleeps", subject, day));
  const start = localMidnight(subject, day) - 5_400 + int(rand, 0, 1_800, -3_600, 3_600);
  const seconds: Record<Stage, number> = {
    deep: int(rand, 5_400, 1_200, 1_800, 9_000),
    light: int(rand, 13_000, 2_400, 7_000, 20_000),
    rem: int(rand, 5_800, 1_300, 2_000, 9_000),
    awake: int(rand, 1_500, 700, 200, 4_000),
  };
  // Three sleep cycles of light → deep → light → REM → awake, so the levels map adds up to the stage totals.
  const levels: Record<Stage, { startTimeInSeconds: number; endTimeInSeconds: number }[]> = { deep: [], light: [], rem: [], awake: [] };
  const order: [Stage, number][] = [
    ["light", 0.5],
    ["deep", 1],
    ["light", 0.5],
    ["rem", 1],
    ["awake", 1],
  ];
  let at = start;
  for (let cycle = 0; cycle < 3; cycle++) {
    for (const [stage, share] of order) {
      const third = Math.floor(seconds[stage] / 3);
      const length = Math.round((cycle === 2 ? seconds[stage] - 2 * third : third) * share);
      levels[stage].push({ startTimeInSeconds: at, endTimeInSeconds: at + length });
      at += length;
    }
  }
  const score = int(rand, 78, 9, 30, 99);
  return {
    summaryId: `${idPrefix(subject)}-${start.toString(16)}-s`,
    calendarDate: day,
    durationInSeconds: at - start,
    startTimeInSeconds: start,
    startTimeOffsetInSeconds: deviceOffset(subject),
    unmeasurableSleepInSeconds: 0,
    deepSleepDurationInSeconds: seconds.deep,
    lightSleepDurationInSeconds: seconds.light,
    remSleepInSeconds: seconds.rem,
    awakeDurationInSeconds: seconds.awake,
    sleepLevelsMap: levels,
    validation: "ENHANCED_FINAL",
    overallSleepScore: { value: score, qualifierKey: score >= 90 ? "EXCELLENT" : score >= 80 ? "GOOD" : score >= 60 ? "FAIR" : "POOR" },
  };
}

const EPOCH_ACTIVITIES = [
  { activityType: "SEDENTARY", intensity: "SEDENTARY", met: 1.0, stepsPerMinute: 0 },
  { activityType: "WALKING", intensity: "ACTIVE", met: 3.3, stepsPerMinute: 95 },
  { activityType: "RUNNING", intensity: "HIGHLY_ACTIVE", met: 9.8, stepsPerMinute: 160 },
] as const;

/** The 96 fifteen-minute epochs of local `day`, one activity type each. */
function epochSummaries(subject: string, day: string) {
  const rand = random(seedOf("garmin-epochs", subject, day));
  const midnight = localMidnight(subject, day);
  return Array.from({ length: 96 }, (_, slot) => {
    const hour = slot / 4;
    const awake = hour >= 7 && hour < 23;
    const roll = rand();
    const typeIndex = !awake ? 0 : roll > 0.97 ? 2 : roll > 0.6 ? 1 : 0;
    const activity = EPOCH_ACTIVITIES[typeIndex]!;
    const activeTime = typeIndex === 0 ? 900 : int(rand, 500, 200, 60, 900);
    const steps = Math.round((activity.stepsPerMinute * activeTime) / 60);
    const start = midnight + slot * 900;
    return {
      summaryId: `${idPrefix(subject)}-${start.toString(16)}-${typeIndex}`,
      activityType: activity.activityType,
      activeKilocalories: typeIndex === 0 ? 0 : Math.round((activity.met * activeTime) / 60),
      steps,
      distanceInMeters: Math.round(steps * 0.78 * 100) / 100,
      durationInSeconds: 900,
      activeTimeInSeconds: activeTime,
      startTimeInSeconds: start,
      startTimeOffsetInSeconds: deviceOffset(subject),
      met: activity.met,
      intensity: activity.intensity,
      meanMotionIntensity: typeIndex === 0 ? int(rand, 1, 1, 0, 3) : int(rand, 4, 1, 2, 7),
      maxMotionIntensity: typeIndex === 0 ? int(rand, 2, 1, 0, 4) : int(rand, 6, 1, 3, 7),
    };
  });
}

/** What the morning sync of local `day` uploads, per summary type. */
const UPLOADED: Record<GarminKind, (subject: string, day: string) => object[]> = {
  dailies: (subject, day) => [dailySummary(subject, previousDay(day))],
  sleeps: (subject, day) => [sleepSummary(subject, day)],
  epochs: (subject, day) => epochSummaries(subject, previousDay(day)),
};

// GET /wellness-api/rest/{dailies|sleeps|epochs}: summaries by upload time, at most 24 h per query, as a bare array.
// Garmin's `token` parameter (added to ping callback URLs) is accepted and ignored, as the bearer token is checked.
api.get("/wellness-api/rest/:summaryType", (c) => {
  const kind = c.req.param("summaryType");
  if (!isGarminKind(kind)) return c.notFound();
  const range = secondsRange(c, "uploadStartTimeInSeconds", "uploadEndTimeInSeconds", MAX_UPLOAD_WINDOW_S);
  if (typeof range === "string") return garminError(c, 400, range);
  const { subject } = c.get("access");
  const now = Math.floor(Date.now() / 1000);
  const summaries: object[] = [];
  // A sync on local day D happens within a day of UTC day D; look a day either side, then filter exactly.
  for (const day of daysIn((range.start - DAY_S) * 1000, (range.end + DAY_S) * 1000, (range.end + DAY_S) * 1000)) {
    const uploadedAt = syncTime(subject, day);
    if (uploadedAt >= range.start && uploadedAt < range.end && uploadedAt <= now) summaries.push(...UPLOADED[kind](subject, day));
  }
  return c.json(summaries);
});

/** Backfill requests this isolate has accepted, to answer an identical repeat with 409 as Garmin does. */
const backfillRequests = new Set<string>();

/**
 * The summaries of `kind` *recorded* in [start, end) (a backfill is by recording time, not upload time), grouped by
 * the local day whose morning sync would have uploaded them: one push per upload, as Garmin sends them.
 */
export function recordedIn(subject: string, kind: GarminKind, start: number, end: number, now: number): object[][] {
  const pushes: object[][] = [];
  for (const day of daysIn((start - DAY_S) * 1000, (end + 2 * DAY_S) * 1000, (end + 2 * DAY_S) * 1000)) {
    if (syncTime(subject, day) > now) continue;
    const recorded = UPLOADED[kind](subject, day).filter((summary) => {
      const at = (summary as { startTimeInSeconds: number }).startTimeInSeconds;
      return at >= start && at < end;
    });
    if (recorded.length > 0) pushes.push(recorded.map((summary) => ({ userId: subject, ...summary })));
  }
  return pushes;
}

// GET /wellness-api/rest/backfill/{dailies|sleeps|epochs}: accepted (202, no body), then the summaries recorded in
// the range are pushed to our own /webhooks/garmin, through the real route and its token, as Garmin pushes them.
api.get("/wellness-api/rest/backfill/:summaryType", async (c) => {
  const kind = c.req.param("summaryType");
  if (!isGarminKind(kind)) return c.notFound();
  const range = secondsRange(c, "summaryStartTimeInSeconds", "summaryEndTimeInSeconds", MAX_BACKFILL_S);
  if (typeof range === "string") return garminError(c, 400, range);
  const access = c.get("access");
  const key = `${access.grantId}:${kind}:${range.start}:${range.end}`;
  if (backfillRequests.has(key)) return garminError(c, 409, "duplicate backfill request: this time range was already requested");
  backfillRequests.add(key);
  // Garmin pushes minutes after answering; the sandbox pushes before it answers, so when the backfill request
  // returns, the data is already queued by our webhook route and a test (or a person) need not wait on a timer.
  await pushToWebhook(c.env, kind, recordedIn(access.subject, kind, range.start, range.end, Math.floor(Date.now() / 1000)));
  return c.body(null, 202);
});

export const garminSandbox: ProviderSandbox = {
  source: "garmin",
  hosts: ["apis.garmin.com"],
  accessTokenTtlSeconds: 86_400,
  api,
};
