import type { Context } from "hono";
import { normal, random, seedOf, uuidFrom } from "../../sandbox/generate";
import { type ProviderSandbox, type SandboxEnv, sandboxApi, sandboxBearer } from "../../sandbox/types";

/**
 * Dexcom API v3 simulator: one person wearing a G7 with the app on a phone. Readings every 5 minutes, a value
 * that is a pure function of (subject, reading time): a baseline around 110 mg/dL, meal rises to ~170–220,
 * flat nights, an occasional low near 65, a 15-minute signal gap once a day, a 30-minute warm-up every 10-day
 * sensor. Like Dexcom, nothing newer than an hour ago is released, windows are capped at 30 days, and records
 * come newest first.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const READING_INTERVAL_MS = 5 * MINUTE_MS;
/** Dexcom releases data about an hour late in the US; the sandbox does too, so "as of" times stay honest. */
export const SANDBOX_DATA_DELAY_MS = HOUR_MS;
const MAX_WINDOW_MS = 30 * DAY_MS;
const SENSOR_SESSION_MS = 10 * DAY_MS;
const WARMUP_MS = 30 * MINUTE_MS;
const GAP_READINGS = 3;
const TREND_SPAN_READINGS = 3;

/** 64 lowercase hex characters, stable per seed: Dexcom's userId and transmitterId look like this. */
function hexFrom(...parts: (string | number)[]): string {
  const rand = random(seedOf(...parts));
  return Array.from({ length: 64 }, () => Math.floor(rand() * 16).toString(16)).join("");
}

const pad = (n: number) => String(Math.abs(n)).padStart(2, "0");
const utcWithoutOffset = (t: number) => new Date(t).toISOString().slice(0, 19);

interface Meal {
  at: number;
  rise: number;
  carbs: number;
  bolus: number;
}

interface DayPlan {
  meals: Meal[];
  low: { at: number; depth: number } | null;
  gapStart: number;
  calibrations: number[];
  basal: { at: number; units: number };
  /** A carbs entry logged twice and then deleted, as people do. */
  deletedDuplicateOf: number | null;
}

type DexcomRecord = Record<string, unknown>;

/** A record and its systemTime (epoch ms), so callers can sort and bound without re-parsing. */
interface Timed {
  t: number;
  record: DexcomRecord;
}

const newestFirst = (entries: Timed[]) => entries.sort((a, b) => b.t - a.t).map((entry) => entry.record);

class SandboxPerson {
  readonly userId: string;
  private readonly phaseMs: number;
  private readonly utcOffsetMinutes: number;
  private readonly baseline: number;
  private readonly sensorAnchorMs: number;
  private readonly displayDevice: "iOS" | "android";
  readonly historyStart: number;
  /** The newest moment Dexcom has released data for. */
  readonly latest: number;
  private readonly plans = new Map<number, DayPlan>();

  constructor(
    private readonly subject: string,
    now: number,
  ) {
    const rand = random(seedOf("dexcom", subject, "profile"));
    this.userId = hexFrom("dexcom", subject, "user");
    this.phaseMs = Math.floor(rand() * 300) * 1000;
    this.utcOffsetMinutes = [-480, -420, -360, -300, 0, 60][Math.floor(rand() * 6)] ?? -300;
    this.baseline = Math.round(normal(rand, 108, 5, 98, 118));
    this.sensorAnchorMs = Math.floor(rand() * SENSOR_SESSION_MS);
    this.displayDevice = rand() < 0.5 ? "iOS" : "android";
    const historyDays = 60 + Math.floor(rand() * 30);
    this.historyStart = Math.floor(now / DAY_MS) * DAY_MS - historyDays * DAY_MS;
    this.latest = now - SANDBOX_DATA_DELAY_MS;
  }

  private get offsetMs(): number {
    return this.utcOffsetMinutes * MINUTE_MS;
  }

  private localDay(t: number): number {
    return Math.floor((t + this.offsetMs) / DAY_MS);
  }

  private localMidnight(day: number): number {
    return day * DAY_MS - this.offsetMs;
  }

  displayTime(t: number): string {
    const sign = this.utcOffsetMinutes < 0 ? "-" : "+";
    const offset = `${sign}${pad(Math.trunc(this.utcOffsetMinutes / 60))}:${pad(this.utcOffsetMinutes % 60)}`;
    return `${new Date(t + this.offsetMs).toISOString().slice(0, 19)}${offset}`;
  }

  private plan(day: number): DayPlan {
    const cached = this.plans.get(day);
    if (cached) return cached;
    const rand = random(seedOf("dexcom", this.subject, "day", day));
    const midnight = this.localMidnight(day);
    const at = (hour: number, sdMinutes: number, minHour: number, maxHour: number) =>
      midnight + Math.round(normal(rand, hour * 60, sdMinutes, minHour * 60, maxHour * 60)) * MINUTE_MS;
    const meal = (hour: number, minHour: number, maxHour: number): Meal => {
      const rise = normal(rand, 85, 15, 62, 110);
      const carbs = Math.round((rise * 0.6) / 5) * 5;
      return { at: at(hour, 30, minHour, maxHour), rise, carbs, bolus: Math.round((carbs / 10) * 2) / 2 };
    };
    const meals = [meal(7.5, 6.5, 9), meal(12.5, 11.5, 14), meal(19, 17.5, 20.5)];
    const low = rand() < 0.35 ? { at: rand() < 0.5 ? at(3, 30, 2, 4.5) : at(17, 20, 16.5, 17.8), depth: this.baseline - normal(rand, 65, 3, 58, 72) } : null;
    const firstSlot = Math.ceil((midnight - this.phaseMs) / READING_INTERVAL_MS);
    const gapStart = (firstSlot + Math.floor(rand() * (288 - GAP_READINGS))) * READING_INTERVAL_MS + this.phaseMs;
    const calibrations = [at(8.25, 30, 7.5, 10), ...(rand() < 0.5 ? [at(21, 30, 20, 22.5)] : [])];
    const basal = { at: at(22, 20, 21.5, 23), units: Math.round(normal(rand, 18, 2, 12, 26)) };
    const deletedDuplicateOf = rand() < 0.2 ? 1 : null;
    const plan = { meals, low, gapStart, calibrations, basal, deletedDuplicateOf };
    this.plans.set(day, plan);
    return plan;
  }

  /** mg/dL at any instant: smooth, so neighbouring readings give realistic trends. */
  glucose(t: number): number {
    const hourOfDay = ((((t + this.offsetMs) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
    let value = this.baseline + 4 * Math.sin((2 * Math.PI * (hourOfDay - 5)) / 24);
    const day = this.localDay(t);
    for (const d of [day - 1, day]) {
      const plan = this.plan(d);
      for (const meal of plan.meals) {
        const x = (t - meal.at) / (50 * MINUTE_MS);
        if (x > 0) value += meal.rise * x * x * Math.exp(2 - 2 * x);
      }
      if (plan.low) value -= plan.low.depth * Math.exp(-(((t - plan.low.at) / (30 * MINUTE_MS)) ** 2));
    }
    const slot = Math.round((t - this.phaseMs) / READING_INTERVAL_MS);
    value += (random(seedOf("dexcom", this.subject, "noise", slot))() - 0.5) * 3;
    return Math.min(400, Math.max(40, Math.round(value)));
  }

  private sensorOf(t: number): { index: number; start: number } {
    const index = Math.floor((t - this.sensorAnchorMs) / SENSOR_SESSION_MS);
    return { index, start: this.sensorAnchorMs + index * SENSOR_SESSION_MS };
  }

  private released(t: number): boolean {
    return t >= this.historyStart && t <= this.latest;
  }

  hasReading(t: number): boolean {
    if (!this.released(t)) return false;
    const { gapStart } = this.plan(this.localDay(t));
    if (t >= gapStart && t < gapStart + GAP_READINGS * READING_INTERVAL_MS) return false;
    return t - this.sensorOf(t).start >= WARMUP_MS;
  }

  /** Reading times in [start, end), oldest first. */
  readingTimes(start: number, end: number): number[] {
    const times: number[] = [];
    for (let slot = Math.ceil((start - this.phaseMs) / READING_INTERVAL_MS); ; slot++) {
      const t = slot * READING_INTERVAL_MS + this.phaseMs;
      if (t >= end) break;
      if (this.hasReading(t)) times.push(t);
    }
    return times;
  }

  private device(t: number) {
    const sensor = this.sensorOf(t);
    return {
      transmitterId: hexFrom("dexcom", this.subject, "sensor", sensor.index),
      transmitterTicks: Math.floor((t - sensor.start) / 1000),
    };
  }

  egv(t: number): DexcomRecord {
    const value = this.glucose(t);
    const trendRate = Math.round(((value - this.glucose(t - TREND_SPAN_READINGS * READING_INTERVAL_MS)) / (TREND_SPAN_READINGS * 5)) * 10) / 10;
    const { transmitterId, transmitterTicks } = this.device(t);
    return {
      recordId: uuidFrom("dexcom", this.subject, "egv", t),
      systemTime: utcWithoutOffset(t),
      displayTime: this.displayTime(t),
      transmitterId,
      transmitterTicks,
      value,
      status: "ok",
      trend: trendOf(trendRate),
      trendRate,
      unit: "mg/dL",
      rateUnit: "mg/dL/min",
      displayDevice: this.displayDevice,
      transmitterGeneration: "g7",
    };
  }

  /** Fingerstick calibrations in [start, end). */
  calibrations(start: number, end: number): Timed[] {
    const records: Timed[] = [];
    for (let day = this.localDay(start); day <= this.localDay(end); day++) {
      this.plan(day).calibrations.forEach((t, index) => {
        if (t < start || t >= end || !this.released(t)) return;
        const rand = random(seedOf("dexcom", this.subject, "calibration", t));
        const record = {
          recordId: uuidFrom("dexcom", this.subject, "calibration", day, index),
          systemTime: utcWithoutOffset(t),
          displayTime: this.displayTime(t),
          unit: "mg/dL",
          value: Math.round(this.glucose(t) * normal(rand, 1, 0.05, 0.85, 1.15)),
          displayDevice: this.displayDevice,
          ...this.device(t),
          transmitterGeneration: "g7",
        };
        records.push({ t, record });
      });
    }
    return records;
  }

  /**
   * Alerts in [start, end), as the G7 app raises them against the settings `deviceRecord` reports (low below 70,
   * urgent low below 55): alarming at the first reading past the threshold, snoozed when the person taps it two
   * minutes later, inactive at the first reading back in range.
   */
  alerts(start: number, end: number): Timed[] {
    const records: Timed[] = [];
    for (let day = this.localDay(start); day <= this.localDay(end); day++) {
      const { low } = this.plan(day);
      if (!low) continue;
      const times = this.readingTimes(low.at - HOUR_MS, low.at + 2 * HOUR_MS);
      for (const [alertName, threshold] of [
        ["low", 70],
        ["urgentLow", 55],
      ] as const) {
        const alarming = times.find((t) => this.glucose(t) < threshold);
        if (alarming === undefined) continue;
        const cleared = times.find((t) => t > alarming && this.glucose(t) >= threshold);
        const states: [string, number | undefined][] = [
          ["activeAlarming", alarming],
          ["activeSnoozed", alarming + 2 * MINUTE_MS],
          ["inactive", cleared],
        ];
        for (const [alertState, t] of states) {
          if (t === undefined || t < start || t >= end || !this.released(t)) continue;
          const record = {
            recordId: uuidFrom("dexcom", this.subject, "alert", day, alertName, alertState),
            systemTime: `${new Date(t).toISOString()}`,
            displayTime: this.displayTime(t),
            alertName,
            alertState,
            displayDevice: this.displayDevice,
            transmitterGeneration: "g7",
            transmitterId: this.device(t).transmitterId,
          };
          records.push({ t, record });
        }
      }
    }
    return records;
  }

  /** Carbs and insulin entries in [start, end). */
  events(start: number, end: number): Timed[] {
    const records: Timed[] = [];
    for (let day = this.localDay(start); day <= this.localDay(end); day++) {
      const plan = this.plan(day);
      const entries: { t: number; type: string; subType: string | null; value: number; unit: string; status: string }[] = [];
      plan.meals.forEach((meal, index) => {
        entries.push({ t: meal.at - 12 * MINUTE_MS, type: "insulin", subType: "fastActing", value: meal.bolus, unit: "units", status: "created" });
        entries.push({ t: meal.at - 10 * MINUTE_MS, type: "carbs", subType: null, value: meal.carbs, unit: "grams", status: "created" });
        if (plan.deletedDuplicateOf === index) {
          entries.push({ t: meal.at - 8 * MINUTE_MS, type: "carbs", subType: null, value: meal.carbs, unit: "grams", status: "deleted" });
        }
      });
      entries.push({ t: plan.basal.at, type: "insulin", subType: "longActing", value: plan.basal.units, unit: "units", status: "created" });
      entries.forEach((entry, index) => {
        if (entry.t < start || entry.t >= end || !this.released(entry.t)) return;
        const record = {
          recordId: uuidFrom("dexcom", this.subject, "event", day, index),
          systemTime: `${utcWithoutOffset(entry.t)}+00:00`,
          displayTime: this.displayTime(entry.t),
          eventStatus: entry.status,
          eventType: entry.type,
          eventSubType: entry.subType,
          // The v3 schema types value as a string.
          value: String(entry.value),
          unit: entry.unit,
          ...this.device(entry.t),
          transmitterGeneration: "g7",
          displayDevice: this.displayDevice,
        };
        records.push({ t: entry.t, record });
      });
    }
    return records;
  }

  /** The first and last record time of each kind after `after` (Dexcom's lastSyncTime), or null. */
  spans(after: number | null): Record<"egvs" | "calibrations" | "events", { start: number; end: number } | null> {
    const from = Math.max(this.historyStart, after === null ? -Infinity : after + 1);
    const bounds = (times: number[]) => (times.length ? { start: Math.min(...times), end: Math.max(...times) } : null);
    const timesOf = (entries: Timed[]) => entries.map((entry) => entry.t);
    return {
      egvs: bounds([...this.firstAndLastReading(from)]),
      calibrations: bounds(timesOf(this.calibrations(from, this.latest + 1))),
      events: bounds(timesOf(this.events(from, this.latest + 1))),
    };
  }

  private *firstAndLastReading(from: number): Generator<number> {
    let first = Math.ceil((from - this.phaseMs) / READING_INTERVAL_MS) * READING_INTERVAL_MS + this.phaseMs;
    while (first <= this.latest && !this.hasReading(first)) first += READING_INTERVAL_MS;
    if (first > this.latest) return;
    let last = Math.floor((this.latest - this.phaseMs) / READING_INTERVAL_MS) * READING_INTERVAL_MS + this.phaseMs;
    while (!this.hasReading(last)) last -= READING_INTERVAL_MS;
    yield first;
    yield last;
  }

  deviceRecord(): DexcomRecord {
    const lastReading = [...this.firstAndLastReading(this.latest - DAY_MS)].pop() ?? this.latest;
    return {
      transmitterGeneration: "g7",
      displayDevice: this.displayDevice,
      displayApp: this.displayDevice === "android" ? "G7Android" : "G7iOS",
      lastUploadDate: `${utcWithoutOffset(lastReading + 20_000)}Z`,
      alertSchedules: [
        {
          alertScheduleSettings: {
            alertScheduleName: "",
            isEnabled: true,
            isDefaultSchedule: true,
            startTime: "00:00",
            endTime: "00:00",
            daysOfWeek: ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"],
          },
          alertSettings: [
            ["urgentLow", 55, "mg/dL", 30, true],
            ["low", 70, "mg/dL", 15, true],
            ["high", 250, "mg/dL", 120, true],
            ["rise", 3, "mg/dL/min", null, false],
            ["fall", 3, "mg/dL/min", null, false],
          ].map(([alertName, value, unit, snooze, enabled]) => ({
            systemTime: `${utcWithoutOffset(this.historyStart)}Z`,
            displayTime: this.displayTime(this.historyStart),
            alertName,
            value,
            unit,
            snooze,
            enabled,
          })),
        },
      ],
    };
  }
}

function trendOf(rate: number): string {
  if (rate >= 3) return "doubleUp";
  if (rate >= 2) return "singleUp";
  if (rate >= 1) return "fortyFiveUp";
  if (rate > -1) return "flat";
  if (rate > -2) return "fortyFiveDown";
  if (rate > -3) return "singleDown";
  return "doubleDown";
}

/** A query date-time as Dexcom reads it: without an offset it is UTC. */
function parseQueryTime(text: string | undefined): number {
  if (!text) return Number.NaN;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) return Date.parse(`${text}Z`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return Date.parse(text);
  return Number.NaN;
}

// Dexcom does not document its error body; this one is plain and says what was wrong.
const badRequest = (c: Context<SandboxEnv>, message: string) => c.json({ error: "bad_request", message }, 400);

function envelope(recordType: string, person: SandboxPerson, records: DexcomRecord[]) {
  return { recordType, recordVersion: "3.0", userId: person.userId, records };
}

/** The person and the [startDate, endDate) window of a data request, or the 400 Dexcom would answer. */
function windowed(c: Context<SandboxEnv>): { person: SandboxPerson; start: number; end: number } | Response {
  const start = parseQueryTime(c.req.query("startDate"));
  const end = parseQueryTime(c.req.query("endDate"));
  if (Number.isNaN(start) || Number.isNaN(end)) return badRequest(c, "startDate and endDate are required date-times");
  if (end <= start) return badRequest(c, "endDate must be after startDate");
  if (end - start > MAX_WINDOW_MS) return badRequest(c, "the window between startDate and endDate may not exceed 30 days");
  return { person: new SandboxPerson(c.get("access").subject, Date.now()), start, end };
}

const api = sandboxApi();

api.use("/v3/*", sandboxBearer("dexcom"));

api.get("/v3/users/self/dataRange", (c) => {
  const lastSyncTime = c.req.query("lastSyncTime");
  const after = lastSyncTime === undefined ? null : parseQueryTime(lastSyncTime);
  if (after !== null && Number.isNaN(after)) return badRequest(c, "lastSyncTime must be a date-time");
  const person = new SandboxPerson(c.get("access").subject, Date.now());
  const moment = (t: number) => ({ systemTime: utcWithoutOffset(t), displayTime: person.displayTime(t) });
  const body: Record<string, unknown> = { recordType: "dataRange", recordVersion: "3.0", userId: person.userId };
  for (const [kind, span] of Object.entries(person.spans(after))) {
    if (span) body[kind] = { start: moment(span.start), end: moment(span.end) };
  }
  return c.json(body);
});

api.get("/v3/users/self/egvs", (c) => {
  const request = windowed(c);
  if (request instanceof Response) return request;
  const { person, start, end } = request;
  const records = person
    .readingTimes(start, end)
    .reverse()
    .map((t) => person.egv(t));
  return c.json(envelope("egv", person, records));
});

api.get("/v3/users/self/calibrations", (c) => {
  const request = windowed(c);
  if (request instanceof Response) return request;
  return c.json(envelope("calibrations", request.person, newestFirst(request.person.calibrations(request.start, request.end))));
});

api.get("/v3/users/self/events", (c) => {
  const request = windowed(c);
  if (request instanceof Response) return request;
  return c.json(envelope("events", request.person, newestFirst(request.person.events(request.start, request.end))));
});

api.get("/v3/users/self/alerts", (c) => {
  const request = windowed(c);
  if (request instanceof Response) return request;
  return c.json(envelope("alerts", request.person, newestFirst(request.person.alerts(request.start, request.end))));
});

api.get("/v3/users/self/devices", (c) => {
  const person = new SandboxPerson(c.get("access").subject, Date.now());
  return c.json(envelope("device", person, [person.deviceRecord()]));
});

export const dexcomSandbox: ProviderSandbox = {
  source: "dexcom",
  // Whatever region is configured, the sandbox answers for it.
  hosts: ["sandbox-api.dexcom.com", "api.dexcom.com", "api.dexcom.eu", "api.dexcom.jp"],
  accessTokenTtlSeconds: 7200,
  api,
};
