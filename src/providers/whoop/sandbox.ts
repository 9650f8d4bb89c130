import type { Context } from "hono";
import { encodeBase64urlNoPadding, utf8 } from "../../lib/encoding";
import { daysIn, int, normal, random, seedOf, uuidFrom } from "../../sandbox/generate";
import { revokeByToken } from "../../sandbox/grants";
import { type ProviderSandbox, type SandboxEnv, sandboxApi, sandboxBearer } from "../../sandbox/types";

const api = sandboxApi();

api.use("/developer/*", sandboxBearer("whoop"));

/** WHOOP member ids are int64s; the sandbox derives a stable one from the subject. */
export function sandboxWhoopUserId(subject: string): number {
  return Number.parseInt(subject.replace(/[^0-9a-f]/g, "").slice(0, 8), 16) % 10_000_000;
}

api.get("/developer/v2/user/profile/basic", (c) => {
  const { subject } = c.get("access");
  return c.json({ user_id: sandboxWhoopUserId(subject), email: `${subject}@sandbox.whoop.test`, first_name: "Sandbox", last_name: "Member" });
});

api.delete("/developer/v2/user/access", async (c) => {
  await revokeByToken(c.env, (c.req.header("Authorization") ?? "").slice(7));
  return c.body(null, 204);
});

// ---------------------------------------------------------------------------------------------------------------
// Data: a member's cycles, sleeps, recoveries and workouts, generated per (subject, day) so every read of the same
// day returns the same values. Only the scoring state depends on the clock, as at WHOOP: an item is PENDING_SCORE
// for a while after it ends, and the cycle the member is in now is unscored until it ends.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Sandbox members have this much history; WHOOP returns nothing before a member's first day. */
const HISTORY_DAYS = 180;
/** An activity shows up once the strap has uploaded it... */
const UPLOAD_DELAY_MS = 10 * MINUTE_MS;
/** ...and is scored a while after that. */
const SCORING_DELAY_MS = 2 * HOUR_MS;
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 25;
const TIME_ZONES = ["-05:00", "-08:00", "+01:00", "Z", "+10:00", "+05:30"] as const;
const SPORTS = [
  { name: "running", distance: true },
  { name: "cycling", distance: true },
  { name: "walking", distance: true },
  { name: "weightlifting", distance: false },
  { name: "functional-fitness", distance: false },
  { name: "yoga", distance: false },
] as const;

type ScoreState = "SCORED" | "PENDING_SCORE" | "UNSCORABLE";

interface Member {
  subject: string;
  userId: number;
  timezoneOffset: string;
  offsetMs: number;
}

/** A record with the times the collection filters and sorts it by (for a recovery: its sleep's). */
interface Timed<T> {
  start: number;
  /** null: still in progress. */
  end: number | null;
  body: T;
}

function member(subject: string): Member {
  const timezoneOffset = TIME_ZONES[seedOf("whoop-tz", subject) % TIME_ZONES.length] ?? "Z";
  const sign = timezoneOffset.startsWith("-") ? -1 : 1;
  const offsetMs = timezoneOffset === "Z" ? 0 : sign * (Number(timezoneOffset.slice(1, 3)) * HOUR_MS + Number(timezoneOffset.slice(4, 6)) * MINUTE_MS);
  return { subject, userId: sandboxWhoopUserId(subject), timezoneOffset, offsetMs };
}

/** Epoch ms of a wall-clock time on the member's local calendar day `day`. */
function localTime(m: Member, day: string, hours: number): number {
  return Math.round(Date.parse(`${day}T00:00:00.000Z`) + hours * HOUR_MS - m.offsetMs);
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS).toISOString().slice(0, 10);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** WHOOP cycle ids are int64s: a per-member base plus the day number keeps them unique and stable. */
function cycleId(m: Member, day: string): number {
  return ((seedOf("whoop-cycle-base", m.subject) % 900_000) + 100_000) * 100_000 + Math.floor(Date.parse(`${day}T00:00:00.000Z`) / DAY_MS);
}

function scoreState(end: number | null, now: number, unscorable = false): ScoreState {
  if (unscorable) return "UNSCORABLE";
  return end === null || now < end + SCORING_DELAY_MS ? "PENDING_SCORE" : "SCORED";
}

/** The night's sleep that ends on the morning of local day `day`: it starts that day's cycle. */
function mainSleepTimes(m: Member, day: string): { start: number; end: number } {
  const rand = random(seedOf("whoop-main-sleep", m.subject, day));
  const start = localTime(m, previousDay(day), normal(rand, 23, 0.7, 21, 25.5));
  return { start, end: start + Math.round(normal(rand, 7.5, 0.8, 5, 10) * HOUR_MS) };
}

function sleepScore(seed: number, start: number, end: number, nap: boolean) {
  const rand = random(seed);
  const inBed = end - start;
  const awake = Math.round(inBed * normal(rand, nap ? 0.12 : 0.07, 0.02, 0.02, 0.2));
  const asleep = inBed - awake;
  const slowWave = Math.round(asleep * normal(rand, 0.22, 0.04, 0.1, 0.35));
  const rem = Math.round(asleep * normal(rand, nap ? 0.1 : 0.22, 0.04, 0, 0.35));
  const light = asleep - slowWave - rem;
  return {
    stage_summary: {
      total_in_bed_time_milli: inBed,
      total_awake_time_milli: awake,
      total_no_data_time_milli: 0,
      total_light_sleep_time_milli: light,
      total_slow_wave_sleep_time_milli: slowWave,
      total_rem_sleep_time_milli: rem,
      sleep_cycle_count: nap ? int(rand, 1, 0.5, 0, 2) : int(rand, 4, 1, 2, 6),
      disturbance_count: nap ? int(rand, 1, 1, 0, 4) : int(rand, 11, 4, 2, 25),
    },
    sleep_needed: {
      baseline_milli: int(rand, 27_400_000, 900_000, 24_000_000, 31_000_000),
      need_from_sleep_debt_milli: int(rand, 600_000, 400_000, 0, 3_600_000),
      need_from_recent_strain_milli: int(rand, 300_000, 150_000, 0, 1_200_000),
      need_from_recent_nap_milli: -int(rand, 200_000, 300_000, 0, 1_800_000),
    },
    respiratory_rate: round(normal(rand, 15.5, 1, 12, 19), 8),
    sleep_performance_percentage: int(rand, 85, 10, 40, 100),
    sleep_consistency_percentage: int(rand, 75, 12, 30, 99),
    sleep_efficiency_percentage: round((asleep / inBed) * 100, 8),
  };
}

function sleepsOf(m: Member, day: string, now: number): Timed<Record<string, unknown>>[] {
  const main = mainSleepTimes(m, day);
  const rand = random(seedOf("whoop-nap", m.subject, day));
  const sessions = [{ id: uuidFrom("whoop-sleep", m.subject, day), ...main, nap: false }];
  if (rand() < 0.25) {
    const start = localTime(m, day, normal(rand, 14.5, 1, 12.5, 17));
    sessions.push({ id: uuidFrom("whoop-nap", m.subject, day), start, end: start + Math.round(normal(rand, 40, 12, 15, 90) * MINUTE_MS), nap: true });
  }
  return sessions.map(({ id, start, end, nap }) => {
    const state = scoreState(end, now);
    return {
      start,
      end,
      body: {
        id,
        cycle_id: cycleId(m, day),
        user_id: m.userId,
        created_at: iso(end + UPLOAD_DELAY_MS),
        updated_at: iso(state === "SCORED" ? end + SCORING_DELAY_MS : end + UPLOAD_DELAY_MS),
        start: iso(start),
        end: iso(end),
        timezone_offset: m.timezoneOffset,
        nap,
        score_state: state,
        ...(state === "SCORED" && { score: sleepScore(seedOf("whoop-sleep-score", id), start, end, nap) }),
      },
    };
  });
}

function recoveryOf(m: Member, day: string, now: number): Timed<Record<string, unknown>> {
  const sleep = mainSleepTimes(m, day);
  const rand = random(seedOf("whoop-recovery", m.subject, day));
  const state = scoreState(sleep.end, now);
  return {
    start: sleep.start,
    end: sleep.end,
    body: {
      cycle_id: cycleId(m, day),
      sleep_id: uuidFrom("whoop-sleep", m.subject, day),
      user_id: m.userId,
      created_at: iso(sleep.end + UPLOAD_DELAY_MS),
      updated_at: iso(state === "SCORED" ? sleep.end + SCORING_DELAY_MS : sleep.end + UPLOAD_DELAY_MS),
      score_state: state,
      ...(state === "SCORED" && {
        score: {
          user_calibrating: false,
          recovery_score: int(rand, 60, 20, 1, 99),
          resting_heart_rate: int(rand, 55, 6, 40, 75),
          hrv_rmssd_milli: round(normal(rand, 60, 18, 15, 140), 6),
          spo2_percentage: round(normal(rand, 96.5, 1, 92, 100), 4),
          skin_temp_celsius: round(normal(rand, 33.7, 0.5, 32, 35.5), 2),
        },
      }),
    },
  };
}

/** Day `day`'s cycle runs from that morning's sleep onset to the next one; the current cycle has no end yet. */
function cycleOf(m: Member, day: string, now: number): Timed<Record<string, unknown>> {
  const start = mainSleepTimes(m, day).start;
  const nextStart = mainSleepTimes(m, nextDay(day)).start;
  const end = nextStart <= now ? nextStart : null;
  const rand = random(seedOf("whoop-cycle", m.subject, day));
  const state = scoreState(end, now);
  return {
    start,
    end,
    body: {
      id: cycleId(m, day),
      user_id: m.userId,
      created_at: iso(start + UPLOAD_DELAY_MS),
      updated_at: iso(end !== null && state === "SCORED" ? end + SCORING_DELAY_MS : start + UPLOAD_DELAY_MS),
      start: iso(start),
      ...(end !== null && { end: iso(end) }),
      timezone_offset: m.timezoneOffset,
      score_state: state,
      ...(state === "SCORED" && {
        score: {
          strain: round(normal(rand, 10.5, 3.5, 1, 20.5), 7),
          kilojoule: round(normal(rand, 9_000, 1_500, 5_000, 16_000), 3),
          average_heart_rate: int(rand, 66, 6, 50, 90),
          max_heart_rate: int(rand, 160, 15, 120, 200),
        },
      }),
    },
  };
}

function workoutsOf(m: Member, day: string, now: number): Timed<Record<string, unknown>>[] {
  const rand = random(seedOf("whoop-workouts", m.subject, day));
  const draw = rand();
  const count = draw < 0.35 ? 0 : draw < 0.85 ? 1 : 2;
  return Array.from({ length: count }, (_, index) => {
    const sport = SPORTS[Math.floor(rand() * SPORTS.length)] ?? SPORTS[0];
    // The first workout follows waking up; a second one is in the evening.
    const start =
      index === 0 ? mainSleepTimes(m, day).end + Math.round(normal(rand, 1.25, 0.5, 0.5, 2) * HOUR_MS) : localTime(m, day, normal(rand, 18, 0.75, 16.75, 20));
    const duration = Math.round(normal(rand, 55, 20, 15, 120) * MINUTE_MS);
    const end = start + duration;
    const state = scoreState(end, now, rand() < 0.04);
    const zones = Array.from({ length: 6 }, () => rand());
    const zoneTotal = zones.reduce((sum, share) => sum + share, 0);
    const [zone0 = 0, zone1 = 0, zone2 = 0, zone3 = 0, zone4 = 0, zone5 = 0] = zones.map((share) => Math.round((share / zoneTotal) * duration));
    const speed = normal(rand, sport.name === "cycling" ? 7 : sport.name === "running" ? 3 : 1.4, 0.4, 0.8, 12);
    const averageHeartRate = int(rand, 130, 15, 90, 165);
    return {
      start,
      end,
      body: {
        id: uuidFrom("whoop-workout", m.subject, day, index),
        user_id: m.userId,
        created_at: iso(end + UPLOAD_DELAY_MS),
        updated_at: iso(state === "SCORED" ? end + SCORING_DELAY_MS : end + UPLOAD_DELAY_MS),
        start: iso(start),
        end: iso(end),
        timezone_offset: m.timezoneOffset,
        sport_name: sport.name,
        score_state: state,
        ...(state === "SCORED" && {
          score: {
            strain: round(normal(rand, 9, 3, 2, 19), 4),
            average_heart_rate: averageHeartRate,
            max_heart_rate: averageHeartRate + int(rand, 30, 8, 10, 50),
            kilojoule: round(normal(rand, 30, 8, 12, 55) * (duration / MINUTE_MS), 8),
            percent_recorded: round(normal(rand, 99, 1.5, 90, 100), 2),
            ...(sport.distance && {
              distance_meter: round(speed * (duration / 1000), 8),
              altitude_gain_meter: round(normal(rand, 40, 25, 0, 400), 8),
              altitude_change_meter: round(normal(rand, 0, 5, -50, 50), 8),
            }),
            zone_durations: {
              zone_zero_milli: zone0,
              zone_one_milli: zone1,
              zone_two_milli: zone2,
              zone_three_milli: zone3,
              zone_four_milli: zone4,
              zone_five_milli: zone5,
            },
          },
        }),
      },
    };
  });
}

type Generate = (m: Member, day: string, now: number) => Timed<Record<string, unknown>>[];

const COLLECTIONS: Record<string, Generate> = {
  "/developer/v2/cycle": (m, day, now) => [cycleOf(m, day, now)],
  "/developer/v2/recovery": (m, day, now) => [recoveryOf(m, day, now)],
  "/developer/v2/activity/sleep": sleepsOf,
  "/developer/v2/activity/workout": workoutsOf,
};

function badRequest(c: Context<SandboxEnv>, message: string) {
  return c.json({ message }, 400);
}

function parseTime(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function decodeToken(token: string): number | null {
  try {
    const match = /^offset:(\d+)$/.exec(atob(token.replaceAll("-", "+").replaceAll("_", "/")));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

for (const [path, generate] of Object.entries(COLLECTIONS)) {
  api.get(path, (c) => {
    const now = Date.now();
    const start = parseTime(c.req.query("start"));
    const end = parseTime(c.req.query("end"));
    if (start === null || end === null) return badRequest(c, "start and end must be ISO 8601 date-times");
    const limitParam = c.req.query("limit");
    const limit = limitParam === undefined ? DEFAULT_LIMIT : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return badRequest(c, `limit must be between 1 and ${MAX_LIMIT}`);
    const tokenParam = c.req.query("nextToken");
    const offset = tokenParam === undefined ? 0 : decodeToken(tokenParam);
    if (offset === null) return badRequest(c, "nextToken is not a token this API issued");

    const m = member(c.get("access").subject);
    const from = Math.max(start ?? -Infinity, now - HISTORY_DAYS * DAY_MS);
    const to = Math.min(end ?? now, now);
    // Records are generated for the days around the window (a sleep starts the evening before its day) and kept
    // when they overlap it: `start` is inclusive, `end` exclusive. Nothing that has not happened and uploaded yet.
    const matching =
      from >= to
        ? []
        : daysIn(from - DAY_MS, to + DAY_MS, now + DAY_MS)
            .flatMap((day) => generate(m, day, now))
            .filter((record) => record.start >= now - HISTORY_DAYS * DAY_MS)
            .filter((record) => (record.end === null ? record.start <= now : record.end + UPLOAD_DELAY_MS <= now))
            .filter((record) => (record.end ?? now) >= from && record.start < to)
            .sort((a, b) => b.start - a.start);
    const page = matching.slice(offset, offset + limit);
    const nextOffset = offset + page.length;
    return c.json({
      records: page.map((record) => record.body),
      ...(nextOffset < matching.length && { next_token: encodeBase64urlNoPadding(utf8(`offset:${nextOffset}`)) }),
    });
  });
}

api.get("/developer/v2/user/measurement/body", (c) => {
  const rand = random(seedOf("whoop-body", c.get("access").subject));
  return c.json({
    height_meter: round(normal(rand, 1.74, 0.09, 1.5, 2.05), 4),
    weight_kilogram: round(normal(rand, 76, 12, 48, 130), 4),
    max_heart_rate: int(rand, 192, 6, 175, 205),
  });
});

export const whoopSandbox: ProviderSandbox = {
  source: "whoop",
  hosts: ["api.prod.whoop.com"],
  accessTokenTtlSeconds: 3600,
  refreshNeedsOfflineScope: true,
  api,
};
