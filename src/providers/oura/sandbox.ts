import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import { encodeBase64urlNoPadding, timingSafeEqual, utf8 } from "../../lib/encoding";
import { sandboxCredentials } from "../../sandbox/credentials";
import { int, normal, random, seedOf, uuidFrom } from "../../sandbox/generate";
import { revokeByToken } from "../../sandbox/grants";
import { type ProviderSandbox, type SandboxEnv, sandboxApi, sandboxBearer } from "../../sandbox/types";

/**
 * Oura's API v2 as the sandbox plays it: the usercollection routes our sync reads (same paths, query parameters,
 * next_token paging and document shapes as Oura's OpenAPI 1.29 spec) with data generated per (person, day), and the
 * webhook-subscription routes. Pages are deliberately small (3 days, 6 hours of heart rate) so paging is exercised.
 */
const DAILY_PAGE_DAYS = 3;
const HEART_RATE_PAGE_MS = 6 * 3_600_000;
const SAMPLE_INTERVAL_MS = 300_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Oura does not document how long a webhook subscription lasts; the sandbox grants 90 days. */
const SUBSCRIPTION_LIFETIME_MS = 90 * DAY_MS;

const DAILY_COLLECTIONS = ["daily_sleep", "sleep", "daily_readiness", "daily_activity"] as const;
type DailyCollection = (typeof DAILY_COLLECTIONS)[number];

const api = sandboxApi();

// Oura revokes with the token in the query string (see auth.ts).
api.post("/oauth/revoke", async (c) => {
  const token = c.req.query("access_token");
  if (!token) return c.json({ detail: "access_token is required" }, 400);
  await revokeByToken(c.env, token);
  return c.body(null, 200);
});

api.use("/v2/usercollection/*", sandboxBearer("oura"));

api.get("/v2/usercollection/personal_info", (c) => {
  const { subject } = c.get("access");
  return c.json({ id: subject, age: 34, weight: 68.5, height: 1.72, biological_sex: "female", email: `${subject}@sandbox.ouraring.test` });
});

// ---------------------------------------------------------------------------------------------------------------
// A person: a home time zone and a few baselines, fixed per sandbox subject.

interface Person {
  subject: string;
  offsetMinutes: number;
  restingHr: number;
  hrvBaseline: number;
  sleepHours: number;
  stepsBaseline: number;
  ringId: string;
}

const UTC_OFFSETS_MINUTES = [-480, -420, -300, 0, 60, 120, 330, 540];

function person(subject: string): Person {
  const rand = random(seedOf(subject, "oura-person"));
  return {
    subject,
    offsetMinutes: UTC_OFFSETS_MINUTES[Math.floor(rand() * UTC_OFFSETS_MINUTES.length)]!,
    restingHr: int(rand, 58, 5, 50, 68),
    hrvBaseline: int(rand, 50, 14, 25, 90),
    sleepHours: normal(rand, 7, 0.3, 6.4, 7.6),
    stepsBaseline: int(rand, 8500, 1800, 5500, 11500),
    ringId: uuidFrom(subject, "ring").replaceAll("-", ""),
  };
}

const pad = (value: number) => String(value).padStart(2, "0");
const offsetText = (minutes: number) => `${minutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
const dayStartUtc = (day: string) => Date.parse(`${day}T00:00:00Z`);
const addDays = (day: string, days: number) => new Date(dayStartUtc(day) + days * DAY_MS).toISOString().slice(0, 10);
const localMidnight = (p: Person, day: string) => dayStartUtc(day) - p.offsetMinutes * MINUTE_MS;
const localDayOf = (p: Person, ms: number) => new Date(ms + p.offsetMinutes * MINUTE_MS).toISOString().slice(0, 10);
const localHourOf = (p: Person, ms: number) => new Date(ms + p.offsetMinutes * MINUTE_MS).getUTCHours();
/** Oura's LocalizedDateTime: the person's wall-clock time with their offset ("2022-07-12T01:05:14-07:00"). */
const localText = (p: Person, ms: number, millis = false) =>
  new Date(ms + p.offsetMinutes * MINUTE_MS).toISOString().slice(0, millis ? 23 : 19) + offsetText(p.offsetMinutes);
const utcText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
const roundTo = (value: number, step: number) => Math.round(value / step) * step;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const meta = (updatedMs: number) => ({ updated_at: new Date(updatedMs).toISOString(), version: 1 });

// ---------------------------------------------------------------------------------------------------------------
// Sleep: one main sleep per night (filed under the wake-up day, as Oura does) and the occasional afternoon nap.

interface SleepPeriod {
  id: string;
  day: string;
  type: "long_sleep" | "sleep";
  period: number;
  start: number;
  end: number;
  timeInBed: number;
  total: number;
  latency: number;
  awake: number;
  deep: number;
  rem: number;
  light: number;
  averageHr: number;
  lowestHr: number;
  averageHrv: number;
  averageBreath: number;
  heartRate: (number | null)[];
  hrv: (number | null)[];
  phases5Min: string;
  movement30Sec: string;
}

function sleepPeriod(p: Person, day: string, type: SleepPeriod["type"], start: number, total: number, rand: () => number): SleepPeriod {
  const latency = roundTo(normal(rand, type === "long_sleep" ? 600 : 240, 240, 60, 2400), 30);
  const wakeAfterOnset = type === "long_sleep" ? roundTo(normal(rand, 1800, 700, 300, 4500), 30) : roundTo(normal(rand, 120, 60, 0, 300), 30);
  const awake = latency + wakeAfterOnset;
  const timeInBed = total + awake;
  const deep = type === "long_sleep" ? roundTo(total * normal(rand, 0.18, 0.035, 0.1, 0.27), 30) : roundTo(total * 0.1, 30);
  const rem = type === "long_sleep" ? roundTo(total * normal(rand, 0.22, 0.035, 0.13, 0.3), 30) : 0;
  const lowestHr = p.restingHr - int(rand, 3, 1, 1, 6);
  const averageHr = roundTo(p.restingHr + normal(rand, 3, 1.2, 0.5, 7), 0.125);
  const averageHrv = int(rand, p.hrvBaseline, 8, 15, 140);
  const samples = Math.floor(timeInBed / 300);
  const heartRate: (number | null)[] = [];
  const hrv: (number | null)[] = [];
  for (let i = 0; i < samples; i++) {
    // The first samples of a night are null in Oura's data while the ring settles.
    heartRate.push(i < 2 ? null : Math.max(lowestHr, Math.round(averageHr + 2.5 * Math.sin(i / 9) + normal(rand, 0, 1.2))));
    hrv.push(i < 2 ? null : Math.max(5, Math.round(averageHrv + 14 * Math.sin(i / 11 + 1) + normal(rand, 0, 6))));
  }
  if (samples > 4) heartRate[Math.floor(samples * 0.6)] = lowestHr;
  // Stages: awake while falling asleep and at the end; deep sleep early in the night, REM late, light in between.
  const onsetSlots = Math.ceil(latency / 300);
  let phases5Min = "";
  for (let i = 0; i < samples; i++) {
    const progress = i / samples;
    const roll = rand();
    const deepChance = (deep / total) * (1.7 - 1.4 * progress);
    const remChance = (rem / total) * (0.3 + 1.4 * progress);
    phases5Min += i < onsetSlots || i === samples - 1 || roll < 0.04 ? "4" : roll < 0.04 + deepChance ? "1" : roll < 0.04 + deepChance + remChance ? "3" : "2";
  }
  let movement30Sec = "";
  for (let i = 0; i < samples * 10; i++) {
    const roll = rand();
    movement30Sec += roll < 0.8 ? "1" : roll < 0.93 ? "2" : roll < 0.98 ? "3" : "4";
  }
  return {
    id: uuidFrom(p.subject, "sleep", day, type),
    day,
    type,
    period: type === "long_sleep" ? 0 : 1,
    start,
    end: start + timeInBed * 1000,
    timeInBed,
    total,
    latency,
    awake,
    deep,
    rem,
    light: total - deep - rem,
    averageHr,
    lowestHr,
    averageHrv,
    averageBreath: roundTo(normal(rand, 14.5, 1.1, 11, 18), 0.125),
    heartRate,
    hrv,
    phases5Min,
    movement30Sec,
  };
}

const nights = new Map<string, SleepPeriod>();

/** The main sleep filed under `day`: to bed around 23:00 the evening before, about 7 h ± 1 h asleep. */
function mainSleep(p: Person, day: string): SleepPeriod {
  const key = `${p.subject}|${day}`;
  const cached = nights.get(key);
  if (cached) return cached;
  const rand = random(seedOf(p.subject, "sleep", day));
  const start = localMidnight(p, day) - 60 * MINUTE_MS + Math.round(normal(rand, 0, 40, -90, 120)) * MINUTE_MS + int(rand, 30, 17, 0, 59) * 1000;
  const total = roundTo(normal(rand, p.sleepHours * 3600, 3000, 5 * 3600, 9 * 3600), 30);
  const night = sleepPeriod(p, day, "long_sleep", start, total, rand);
  if (nights.size > 500) nights.clear();
  nights.set(key, night);
  return night;
}

function nap(p: Person, day: string): SleepPeriod | null {
  const rand = random(seedOf(p.subject, "nap", day));
  if (rand() > 0.15) return null;
  const start = localMidnight(p, day) + (14 * 60 + int(rand, 45, 30, 0, 120)) * MINUTE_MS;
  return sleepPeriod(p, day, "sleep", start, roundTo(normal(rand, 1800, 600, 900, 3600), 30), rand);
}

function readinessFor(p: Person, day: string) {
  const rand = random(seedOf(p.subject, "readiness", day));
  const contributor = () => int(rand, 80, 12, 35, 100);
  return {
    contributors: {
      activity_balance: contributor(),
      body_temperature: contributor(),
      hrv_balance: contributor(),
      previous_day_activity: contributor(),
      previous_night: contributor(),
      recovery_index: contributor(),
      resting_heart_rate: contributor(),
      sleep_balance: contributor(),
      sleep_regularity: contributor(),
    },
    score: int(rand, 79, 8, 60, 95),
    temperature_deviation: Math.round(normal(rand, 0, 0.2, -1, 1) * 100) / 100,
    temperature_trend_deviation: Math.round(normal(rand, 0, 0.12, -0.6, 0.6) * 100) / 100,
  };
}

function sleepDocument(p: Person, sleep: SleepPeriod) {
  const rand = random(seedOf(p.subject, "sleep-extras", sleep.id));
  const main = sleep.type === "long_sleep";
  return {
    id: sleep.id,
    meta: meta(sleep.end + 10 * MINUTE_MS),
    average_breath: sleep.averageBreath,
    average_heart_rate: sleep.averageHr,
    average_hrv: sleep.averageHrv,
    awake_time: sleep.awake,
    bedtime_end: localText(p, sleep.end),
    bedtime_start: localText(p, sleep.start),
    day: sleep.day,
    deep_sleep_duration: sleep.deep,
    efficiency: Math.round((sleep.total / sleep.timeInBed) * 100),
    heart_rate: { interval: 300, items: sleep.heartRate, timestamp: localText(p, sleep.start, true) },
    hrv: { interval: 300, items: sleep.hrv, timestamp: localText(p, sleep.start, true) },
    latency: sleep.latency,
    light_sleep_duration: sleep.light,
    low_battery_alert: false,
    lowest_heart_rate: sleep.lowestHr,
    movement_30_sec: sleep.movement30Sec,
    period: sleep.period,
    readiness: main ? readinessFor(p, sleep.day) : null,
    readiness_score_delta: main ? 0 : int(rand, 1, 1, 0, 3),
    rem_sleep_duration: sleep.rem,
    restless_periods: int(rand, main ? 220 : 20, main ? 60 : 8, 0, 500),
    sleep_algorithm_version: "v2",
    sleep_analysis_reason: "foreground_sleep_analysis",
    sleep_phase_30_sec: [...sleep.phases5Min].map((phase) => phase.repeat(10)).join(""),
    sleep_phase_5_min: sleep.phases5Min,
    sleep_score_delta: main ? 0 : int(rand, 2, 1, 0, 4),
    time_in_bed: sleep.timeInBed,
    total_sleep_duration: sleep.total,
    type: sleep.type,
    ring_id: p.ringId,
    app_sleep_phase_5_min: sleep.phases5Min,
  };
}

function dailySleepDocument(p: Person, day: string) {
  const night = mainSleep(p, day);
  const rand = random(seedOf(p.subject, "daily_sleep", day));
  const score100 = (value: number) => clamp(Math.round(value), 1, 100);
  const contributors = {
    deep_sleep: score100((night.deep / 5400) * 100),
    efficiency: score100(((night.total / night.timeInBed) * 100 - 70) * 3.3),
    latency: score100(100 - Math.max(0, night.latency - 900) / 30),
    rem_sleep: score100((night.rem / 6300) * 100),
    restfulness: int(rand, 72, 12, 35, 100),
    timing: int(rand, 85, 10, 40, 100),
    total_sleep: score100((night.total / 28800) * 100),
  };
  const weighted =
    contributors.total_sleep * 0.35 +
    contributors.restfulness * 0.15 +
    (contributors.efficiency + contributors.rem_sleep + contributors.deep_sleep + contributors.latency + contributors.timing) * 0.1;
  return {
    id: uuidFrom(p.subject, "daily_sleep", day),
    meta: meta(night.end + 12 * MINUTE_MS),
    contributors,
    day,
    score: clamp(Math.round(weighted), 60, 95),
    timestamp: `${day}T00:00:00+00:00`,
  };
}

function dailyReadinessDocument(p: Person, day: string) {
  const { contributors, score, temperature_deviation, temperature_trend_deviation } = readinessFor(p, day);
  return {
    id: uuidFrom(p.subject, "daily_readiness", day),
    meta: meta(mainSleep(p, day).end + 12 * MINUTE_MS),
    contributors,
    day,
    score,
    temperature_deviation,
    temperature_trend_deviation,
    timestamp: `${day}T00:00:00+00:00`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Activity: Oura's activity day runs 04:00 to 04:00 local; every 5-minute slot gets a class (0 non-wear, 1 rest,
// 2 inactive, 3 low, 4 medium, 5 high) and every minute a MET value consistent with it.

const ACTIVITY_DAY_OFFSET_MS = 4 * 3_600_000;
const MET_BY_CLASS: readonly number[] = [0.1, 0.9, 1.2, 2.3, 4.2, 7.5];

function dailyActivityDocument(p: Person, day: string) {
  const rand = random(seedOf(p.subject, "daily_activity", day));
  const dayStart = localMidnight(p, day) + ACTIVITY_DAY_OFFSET_MS;
  const slots = 288;
  const restBefore = clamp(Math.ceil((mainSleep(p, day).end - dayStart) / SAMPLE_INTERVAL_MS), 0, 100);
  const restAfter = clamp(Math.ceil((dayStart + DAY_MS - mainSleep(p, addDays(day, 1)).start) / SAMPLE_INTERVAL_MS), 0, 100);
  const steps = int(rand, p.stepsBaseline, 2200, 4000, 14000);
  const awakeSlots = slots - restBefore - restAfter;
  const nonWear = int(rand, 4, 4, 0, 18);
  const high = int(rand, Math.round(steps / 2500), 2, 0, 12);
  const medium = int(rand, Math.round(steps / 550), 4, 2, 40);
  const low = int(rand, Math.round(steps / 170), 10, 10, 110);
  const inactive = Math.max(0, awakeSlots - nonWear - high - medium - low);
  const awakeClasses = [
    ...Array<number>(nonWear).fill(0),
    ...Array<number>(high).fill(5),
    ...Array<number>(medium).fill(4),
    ...Array<number>(low).fill(3),
    ...Array<number>(inactive).fill(2),
  ];
  for (let i = awakeClasses.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [awakeClasses[i], awakeClasses[j]] = [awakeClasses[j]!, awakeClasses[i]!];
  }
  const classes = [...Array<number>(restBefore).fill(1), ...awakeClasses, ...Array<number>(restAfter).fill(1)].slice(0, slots);
  const met: number[] = [];
  const metMinutesByClass = [0, 0, 0, 0, 0, 0];
  for (const slotClass of classes) {
    for (let minute = 0; minute < 5; minute++) {
      const value = Math.round(clamp((MET_BY_CLASS[slotClass] ?? 1) + normal(rand, 0, slotClass >= 3 ? 0.6 : 0.1), 0.1, 12) * 10) / 10;
      met.push(value);
      metMinutesByClass[slotClass] = (metMinutesByClass[slotClass] ?? 0) + value;
    }
  }
  const slotsOf = (slotClass: number) => classes.filter((value) => value === slotClass).length;
  const seconds = (slotClass: number) => slotsOf(slotClass) * 300;
  const activeCalories = Math.round(
    (metMinutesByClass[3]! - slotsOf(3) * 5 + metMinutesByClass[4]! - slotsOf(4) * 5 + metMinutesByClass[5]! - slotsOf(5) * 5) * 1.2,
  );
  const equivalentWalkingDistance = Math.round(steps * 0.78 + seconds(5) * 1.5);
  const targetCalories = roundTo(int(rand, 450, 100, 250, 700), 50);
  const score = int(rand, 70 + (steps - p.stepsBaseline) / 400, 7, 60, 95);
  return {
    id: uuidFrom(p.subject, "daily_activity", day),
    meta: meta(dayStart + DAY_MS + 30 * MINUTE_MS),
    active_calories: activeCalories,
    average_met_minutes: Math.round((met.reduce((sum, value) => sum + value, 0) / met.length) * 32) / 32,
    class_5_min: classes.join(""),
    contributors: {
      meet_daily_targets: int(rand, 70, 20, 1, 100),
      move_every_hour: int(rand, 90, 10, 1, 100),
      recovery_time: int(rand, 95, 8, 1, 100),
      stay_active: int(rand, 80, 15, 1, 100),
      training_frequency: int(rand, 75, 20, 1, 100),
      training_volume: int(rand, 80, 18, 1, 100),
    },
    day,
    equivalent_walking_distance: equivalentWalkingDistance,
    high_activity_met_minutes: Math.round(metMinutesByClass[5]!),
    high_activity_time: seconds(5),
    inactivity_alerts: int(rand, 1, 1, 0, 4),
    low_activity_met_minutes: Math.round(metMinutesByClass[3]!),
    low_activity_time: seconds(3),
    medium_activity_met_minutes: Math.round(metMinutesByClass[4]!),
    medium_activity_time: seconds(4),
    met: { interval: 60, items: met, timestamp: localText(p, dayStart, true) },
    meters_to_target: roundTo(targetCalories * 20 - equivalentWalkingDistance, 100),
    non_wear_time: seconds(0),
    resting_time: seconds(1),
    score,
    sedentary_met_minutes: Math.round(Math.max(0, metMinutesByClass[2]! - slotsOf(2) * 5)),
    sedentary_time: seconds(2),
    steps,
    target_calories: targetCalories,
    target_meters: targetCalories * 20,
    timestamp: localText(p, dayStart),
    total_calories: int(rand, 1700, 120, 1400, 2100) + activeCalories,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Heart rate: a 5-minute series (UTC timestamps, as Oura sends them), from the night's own samples while asleep.

function heartRateSample(p: Person, at: number) {
  const rand = random(seedOf(p.subject, "heartrate", at));
  // The ring is sometimes off the finger or charging: no sample then.
  if (rand() < 0.03) return null;
  const sleepDay = localHourOf(p, at) < 12 ? localDayOf(p, at) : addDays(localDayOf(p, at), 1);
  const night = mainSleep(p, sleepDay);
  if (at >= night.start && at < night.end) {
    const bpm = night.heartRate[Math.floor((at - night.start) / SAMPLE_INTERVAL_MS)];
    return bpm === null || bpm === undefined ? null : { bpm, source: "sleep" };
  }
  const hour = localHourOf(p, at);
  if (hour >= 21 || hour < 6) return { bpm: p.restingHr + int(rand, 7, 3, 1, 15), source: "rest" };
  return { bpm: p.restingHr + int(rand, 22, 10, 5, 60), source: "awake" };
}

// ---------------------------------------------------------------------------------------------------------------
// Routes.

const PageToken = z.object({ k: z.string(), s: z.number(), e: z.number(), c: z.number() });
type PageToken = z.infer<typeof PageToken>;

const encodeToken = (token: PageToken) => encodeBase64urlNoPadding(utf8(JSON.stringify(token)));

function decodeToken(value: string, kind: string): PageToken | null {
  try {
    const parsed = PageToken.safeParse(JSON.parse(atob(value.replaceAll("-", "+").replaceAll("_", "/"))));
    return parsed.success && parsed.data.k === kind ? parsed.data : null;
  } catch {
    return null;
  }
}

/** FastAPI's 422 body, which Oura's spec documents for invalid query parameters. */
function invalidQuery(c: Context<SandboxEnv>, parameter: string, message: string) {
  return c.json({ detail: [{ loc: ["query", parameter], msg: message, type: "value_error" }] }, 422);
}

const IsoDate = z.iso.date();
const IsoDateTime = z.iso.datetime({ offset: true, local: true });

/** start_date / end_date accept a date or a date-time; only the date part selects documents. */
function queryDay(value: string | undefined): string | null | undefined {
  if (value === undefined || value === "") return undefined;
  if (IsoDate.safeParse(value).success) return value;
  return IsoDateTime.safeParse(value).success ? value.slice(0, 10) : null;
}

function queryInstant(value: string | undefined): number | null | undefined {
  if (value === undefined || value === "") return undefined;
  if (!IsoDateTime.safeParse(value).success) return null;
  return Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`);
}

function documentsFor(p: Person, kind: DailyCollection, day: string, now: number): unknown[] {
  const night = mainSleep(p, day);
  switch (kind) {
    case "daily_sleep":
      return night.end <= now ? [dailySleepDocument(p, day)] : [];
    case "daily_readiness":
      return night.end <= now ? [dailyReadinessDocument(p, day)] : [];
    case "sleep": {
      const periods = [night, nap(p, day)].filter((period): period is SleepPeriod => period !== null && period.end <= now);
      return periods.map((period) => sleepDocument(p, period));
    }
    case "daily_activity":
      // Only a finished activity day: a day still in progress would change under a re-sync.
      return localMidnight(p, day) + ACTIVITY_DAY_OFFSET_MS + DAY_MS <= now ? [dailyActivityDocument(p, day)] : [];
  }
}

for (const kind of DAILY_COLLECTIONS) {
  api.get(`/v2/usercollection/${kind}`, (c) => {
    const p = person(c.get("access").subject);
    const now = Date.now();
    const today = localDayOf(p, now);
    const nextToken = c.req.query("next_token");
    let first: number;
    let last: number;
    let cursor: number;
    if (nextToken) {
      const token = decodeToken(nextToken, kind);
      if (!token) return c.json({ detail: "Invalid next_token" }, 400);
      ({ s: first, e: last, c: cursor } = token);
    } else {
      const endDay = queryDay(c.req.query("end_date"));
      const startDay = queryDay(c.req.query("start_date"));
      if (endDay === null) return invalidQuery(c, "end_date", "Input should be a valid date or datetime");
      if (startDay === null) return invalidQuery(c, "start_date", "Input should be a valid date or datetime");
      const end = endDay ?? today;
      const start = startDay ?? addDays(end, -1);
      if (start > end) return c.json({ detail: "Start date is greater than end date" }, 400);
      first = dayStartUtc(start);
      // biome-ignore lint/complexity/useMathMinMax: days are ISO date strings, which compare in date order
      last = dayStartUtc(end < today ? end : today);
      cursor = first;
    }
    const data: unknown[] = [];
    const pageLast = Math.min(last, cursor + (DAILY_PAGE_DAYS - 1) * DAY_MS);
    for (let t = cursor; t <= pageLast; t += DAY_MS) data.push(...documentsFor(p, kind, new Date(t).toISOString().slice(0, 10), now));
    const following = pageLast + DAY_MS;
    return c.json({ data, next_token: following <= last ? encodeToken({ k: kind, s: first, e: last, c: following }) : null });
  });
}

api.get("/v2/usercollection/heartrate", (c) => {
  const p = person(c.get("access").subject);
  const now = Date.now();
  const nextToken = c.req.query("next_token");
  let start: number;
  let end: number;
  let cursor: number;
  if (nextToken) {
    const token = decodeToken(nextToken, "heartrate");
    if (!token) return c.json({ detail: "Invalid next_token" }, 400);
    ({ s: start, e: end, c: cursor } = token);
  } else {
    // A "+" left unescaped in the offset arrives as a space and fails here, as it does at Oura.
    const endAt = queryInstant(c.req.query("end_datetime"));
    const startAt = queryInstant(c.req.query("start_datetime"));
    if (endAt === null) return invalidQuery(c, "end_datetime", "Input should be a valid datetime");
    if (startAt === null) return invalidQuery(c, "start_datetime", "Input should be a valid datetime");
    end = Math.min(endAt ?? now, now);
    start = startAt ?? end - DAY_MS;
    if (start > end) return c.json({ detail: "Start datetime is greater than end datetime" }, 400);
    cursor = start;
  }
  const pageEnd = Math.min(end, cursor + HEART_RATE_PAGE_MS);
  const phase = (seedOf(p.subject, "heartrate-phase") % 300) * 1000;
  const data: unknown[] = [];
  for (let at = Math.ceil((cursor - phase) / SAMPLE_INTERVAL_MS) * SAMPLE_INTERVAL_MS + phase; at < pageEnd; at += SAMPLE_INTERVAL_MS) {
    const sample = heartRateSample(p, at);
    if (sample) data.push({ bpm: sample.bpm, source: sample.source, timestamp: utcText(at), timestamp_unix: at });
  }
  return c.json({ data, next_token: pageEnd < end ? encodeToken({ k: "heartrate", s: start, e: end, c: pageEnd }) : null });
});

// ---------------------------------------------------------------------------------------------------------------
// Webhook subscriptions: authenticated by the application's client credentials, held in this isolate's memory.

const WebhookOperation = z.enum(["create", "update", "delete"]);
const DataType = z.enum([
  "tag",
  "enhanced_tag",
  "workout",
  "session",
  "sleep",
  "daily_sleep",
  "daily_readiness",
  "daily_activity",
  "daily_spo2",
  "sleep_time",
  "rest_mode_period",
  "ring_configuration",
  "daily_stress",
  "daily_cycle_phases",
  "activation_status",
  "daily_cardiovascular_age",
  "daily_resilience",
  "vo2_max",
  "period_start",
  "pregnancy",
  "fertile_window",
  "ovulation_confirmed",
  "blood_glucose",
]);
const CreateSubscription = z.object({ callback_url: z.url(), verification_token: z.string().min(1), event_type: WebhookOperation, data_type: DataType });
const UpdateSubscription = z.object({
  verification_token: z.string().min(1),
  callback_url: z.url().nullish(),
  event_type: WebhookOperation.nullish(),
  data_type: DataType.nullish(),
});

interface SubscriptionModel {
  id: string;
  callback_url: string;
  event_type: z.infer<typeof WebhookOperation>;
  data_type: z.infer<typeof DataType>;
  expiration_time: string;
}

const subscriptions = new Map<string, SubscriptionModel>();

const requireClient: MiddlewareHandler<SandboxEnv> = async (c, next) => {
  const expected = await sandboxCredentials("oura", c.env);
  const clientId = c.req.header("x-client-id") ?? "";
  const clientSecret = c.req.header("x-client-secret") ?? "";
  if (!timingSafeEqual(clientId, expected.clientId) || !expected.clientSecret || !timingSafeEqual(clientSecret, expected.clientSecret)) {
    return c.json({ detail: "Invalid client credentials" }, 401);
  }
  await next();
};

api.use("/v2/webhook/*", requireClient);

const expiresFromNow = () => `${new Date(Date.now() + SUBSCRIPTION_LIFETIME_MS).toISOString().slice(0, 19)}Z`;
const missing = (c: Context<SandboxEnv>) => c.json({ detail: "Webhook with specified id does not exist." }, 403);

async function jsonBody(c: Context<SandboxEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

api.get("/v2/webhook/subscription", (c) => c.json([...subscriptions.values()]));

api.post("/v2/webhook/subscription", async (c) => {
  const parsed = CreateSubscription.safeParse(await jsonBody(c));
  if (!parsed.success)
    return c.json({ detail: parsed.error.issues.map((issue) => ({ loc: ["body", ...issue.path.map(String)], msg: issue.message, type: "value_error" })) }, 422);
  const { callback_url, event_type, data_type } = parsed.data;
  const subscription: SubscriptionModel = { id: crypto.randomUUID(), callback_url, event_type, data_type, expiration_time: expiresFromNow() };
  subscriptions.set(subscription.id, subscription);
  return c.json(subscription, 201);
});

api.get("/v2/webhook/subscription/:id", (c) => {
  const subscription = subscriptions.get(c.req.param("id"));
  return subscription ? c.json(subscription) : missing(c);
});

api.put("/v2/webhook/subscription/:id", async (c) => {
  const subscription = subscriptions.get(c.req.param("id"));
  if (!subscription) return missing(c);
  const parsed = UpdateSubscription.safeParse(await jsonBody(c));
  if (!parsed.success) return c.json({ detail: [{ loc: ["body"], msg: "Invalid subscription update", type: "value_error" }] }, 422);
  const updated: SubscriptionModel = {
    ...subscription,
    callback_url: parsed.data.callback_url ?? subscription.callback_url,
    event_type: parsed.data.event_type ?? subscription.event_type,
    data_type: parsed.data.data_type ?? subscription.data_type,
  };
  subscriptions.set(updated.id, updated);
  return c.json(updated);
});

api.delete("/v2/webhook/subscription/:id", (c) => {
  if (!subscriptions.delete(c.req.param("id"))) return missing(c);
  return c.body(null, 204);
});

api.put("/v2/webhook/subscription/renew/:id", (c) => {
  const subscription = subscriptions.get(c.req.param("id"));
  if (!subscription) return missing(c);
  const renewed = { ...subscription, expiration_time: expiresFromNow() };
  subscriptions.set(renewed.id, renewed);
  return c.json(renewed);
});

export const ouraSandbox: ProviderSandbox = {
  source: "oura",
  hosts: ["api.ouraring.com"],
  accessTokenTtlSeconds: 86_400,
  api,
};
