import { type Bonus, wearableBonus } from "./bonus";
import { type Metric, sourceOrder } from "./precedence";
import { clusterSessions, type Session } from "./sessions";
import { type DayWindow, dateOf, datesBetween, dayWindow, statedLocalDate, type ZoneSpan } from "./zone";

/**
 * The daily picture: per person and civil day, one value per metric, merged across sources, each with where it
 * came from. Pure: records in, days out; the person's UserHub reads the records and keeps what was announced.
 * Rules, precedence and bonus thresholds: docs/daily-picture.md.
 */

/** A stored record, as the record store hands it over (the body still JSON text). */
export interface DayRecord {
  id: number;
  source: string;
  kind: string;
  startTime: number;
  endTime: number | null;
  data: string;
}

/** One source's glucose readings over one day's window, summed by the record store. */
export interface GlucoseSums {
  source: string;
  n: number;
  mean: number | null;
  below: number | null;
  above: number | null;
}

/** The record kinds the picture reads row by row (samples such as glucose readings come in as sums). */
export const PICTURE_KINDS = ["sleep_session", "daily_sleep", "readiness", "daily_activity", "resting_heart_rate", "hrv", "workout", "body_weight"] as const;

/** How far before the first day's start and after the last day's end records are read: a night can start the day before. */
export const PICTURE_MARGIN_MS = 36 * 3_600_000;

/** After this long past a day's end its picture is final, whatever has not reported. */
export const SETTLE_MS = 72 * 3_600_000;

export interface Provenance {
  source: string;
  /** The records the value was read from (`rec_<n>`, as the records API names them). */
  record_ids: string[];
  /** Whether other sources had the same night or metric for the day and were set aside for this one. */
  merged: boolean;
  /** The other sources that had it (counted once: this value stands for all of them). */
  also_from: string[];
  /** Sources ranked above this one that had nothing for the day (stale or not worn), in order. */
  fell_back_from: string[];
  /** `choice`: the person picked this source for the metric; `default`: the precedence table did. */
  chosen_by: "choice" | "default";
}

export interface Valued<T> {
  value: T;
  provenance: Provenance;
}

export interface SleepValue {
  duration_s: number;
  efficiency_pct: number | null;
  score: number | null;
  bedtime: string;
  wake: string;
}

export interface NapValue {
  duration_s: number;
  start: string;
  end: string;
  provenance: Provenance;
}

export interface WorkoutValue {
  activity: string;
  start: string;
  end: string;
  duration_s: number;
  provenance: Provenance;
}

export interface DaySummary {
  date: string;
  time_zone: string;
  start: string;
  end: string;
  sleep: Valued<SleepValue> | null;
  naps: NapValue[];
  readiness: Valued<{ score: number }> | null;
  activity: Valued<{ steps: number; active_energy_kcal: number | null; active_minutes: number | null }> | null;
  resting_heart_rate: Valued<{ bpm: number }> | null;
  hrv: Valued<{ rmssd_ms: number }> | null;
  glucose: Valued<{ time_in_range_pct: number; mean_mgdl: number; gmi_pct: number; readings: number; coverage_pct: number }> | null;
  weight: Valued<{ kg: number }> | null;
  workouts: WorkoutValue[];
  bonus: Bonus;
  /** Whether the day will no longer change: docs/daily-picture.md ("When a day is final"). */
  final: boolean;
}

export interface PictureInput {
  from: string;
  to: string;
  zones: readonly ZoneSpan[];
  records: readonly DayRecord[];
  /** Per date, each source's glucose sums over that day's window. */
  glucose: ReadonlyMap<string, readonly GlucoseSums[]>;
  overrides: Partial<Record<Metric, string>>;
  /** Sources connected now, and the newest record time of each: they decide when a day is final. */
  connected: readonly string[];
  latest: Readonly<Record<string, number>>;
  now: number;
  /** Only these dates (the others in the range are not computed). */
  only?: ReadonlySet<string> | undefined;
}

type Body = Record<string, unknown>;

interface Parsed extends DayRecord {
  body: Body;
}

const recId = (id: number) => `rec_${id}`;

function num(body: Body, field: string): number | null {
  const value = body[field] as { value?: unknown } | number | undefined;
  if (typeof value === "number") return value;
  return typeof value?.value === "number" ? value.value : null;
}

function interval(body: Body): { start?: string; end?: string } {
  const frame = body.effective_time_frame as { time_interval?: { start_date_time?: string; end_date_time?: string } } | undefined;
  return { start: frame?.time_interval?.start_date_time, end: frame?.time_interval?.end_date_time };
}

/** Sleeps shorter than this without a nap/main flag from the source are naps. */
const NAP_UNDER_S = 3 * 3600;

function isNap(body: Body): boolean {
  if (body.is_main_sleep === false) return true;
  if (body.is_main_sleep === true) return false;
  return (num(body, "total_sleep_time") ?? 0) < NAP_UNDER_S;
}

interface SleepSession extends Session {
  record: Parsed;
}

function provenance(
  metric: Metric,
  order: readonly string[],
  chosen: string,
  have: ReadonlySet<string>,
  recordIds: string[],
  overrides: PictureInput["overrides"],
  connected: ReadonlySet<string>,
): Provenance {
  const also = order.filter((s) => s !== chosen && have.has(s));
  const above = order.slice(0, order.indexOf(chosen)).filter((s) => !have.has(s) && connected.has(s));
  return {
    source: chosen,
    record_ids: recordIds,
    merged: also.length > 0,
    also_from: also,
    fell_back_from: above,
    chosen_by: overrides[metric] === chosen ? "choice" : "default",
  };
}

/** Picks, for one metric, the first source in order that has a value, with its provenance. */
function pick<T>(
  metric: Metric,
  candidates: ReadonlyMap<string, { value: T; ids: string[] }>,
  input: PictureInput,
  connected: ReadonlySet<string>,
  order?: readonly string[],
): Valued<T> | null {
  const sources = order ?? sourceOrder(metric, [...candidates.keys(), ...connected], input.overrides[metric]);
  const chosen = sources.find((s) => candidates.has(s));
  if (!chosen) return null;
  const found = candidates.get(chosen)!;
  return { value: found.value, provenance: provenance(metric, sources, chosen, new Set(candidates.keys()), found.ids, input.overrides, connected) };
}

export function dailyPicture(input: PictureInput): DaySummary[] {
  const connected = new Set(input.connected);
  const parsed: Parsed[] = [];
  for (const record of input.records) {
    try {
      parsed.push({ ...record, body: JSON.parse(record.data) as Body });
    } catch {
      // A body that is not JSON cannot be read; the records API still shows it.
    }
  }
  const dated = new Map<string, Parsed[]>();
  for (const record of parsed) {
    if (typeof record.body.date !== "string") continue;
    const key = `${record.kind}|${record.body.date}`;
    dated.set(key, [...(dated.get(key) ?? []), record]);
  }
  const datedOf = (kind: string, date: string, source: string) => (dated.get(`${kind}|${date}`) ?? []).filter((r) => r.source === source);

  // Sleeps: matched across sources first, then each night filed under the day its wearer woke up.
  const sleeps: SleepSession[] = parsed
    .filter((r) => r.kind === "sleep_session" && r.endTime !== null)
    .map((r) => ({ id: r.id, source: r.source, start: r.startTime, end: r.endTime!, record: r }));
  const nights = new Map<string, SleepSession[][]>();
  const naps = new Map<string, SleepSession[][]>();
  for (const cluster of clusterSessions(sleeps)) {
    const lead = sourceOrder(
      "sleep",
      cluster.map((s) => s.source),
      input.overrides.sleep,
    )[0]!;
    const leader = cluster.find((s) => s.source === lead)!;
    const date = statedLocalDate(interval(leader.record.body).end) ?? dateOf(leader.end, input.zones);
    const into = cluster.every((s) => isNap(s.record.body)) ? naps : nights;
    into.set(date, [...(into.get(date) ?? []), cluster]);
  }
  const workouts = new Map<string, Parsed[][]>();
  const workoutRecords = parsed.filter((r) => r.kind === "workout" && r.endTime !== null);
  for (const cluster of clusterSessions(workoutRecords.map((r) => ({ id: r.id, source: r.source, start: r.startTime, end: r.endTime!, record: r })))) {
    const first = cluster[0]!;
    const date = statedLocalDate(interval(first.record.body).start) ?? dateOf(first.start, input.zones);
    workouts.set(date, [...(workouts.get(date) ?? []), cluster.map((s) => s.record)]);
  }

  const hrvAt = new Map<string, Parsed>();
  for (const r of parsed) if (r.kind === "hrv" && num(r.body, "rmssd") !== null) hrvAt.set(`${r.source}|${r.startTime}`, r);
  const weighings = parsed.filter((r) => r.kind === "body_weight");
  const sources = new Set([...connected, ...parsed.map((r) => r.source)]);

  const days: DaySummary[] = [];
  for (const date of datesBetween(input.from, input.to)) {
    if (input.only && !input.only.has(date)) continue;
    const window = dayWindow(date, input.zones);
    days.push(summarize(date, window, { input, connected, sources, nights, naps, workouts, datedOf, hrvAt, weighings }));
  }
  return days;
}

interface Context {
  input: PictureInput;
  connected: ReadonlySet<string>;
  nights: Map<string, SleepSession[][]>;
  naps: Map<string, SleepSession[][]>;
  workouts: Map<string, Parsed[][]>;
  datedOf: (kind: string, date: string, source: string) => Parsed[];
  sources: ReadonlySet<string>;
  hrvAt: ReadonlyMap<string, Parsed>;
  weighings: readonly Parsed[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One source's part of a matched cluster: its sessions' total, first bedtime and last wake. */
function sourcePart(cluster: readonly SleepSession[], source: string) {
  const mine = cluster.filter((s) => s.source === source);
  const first = mine.reduce((a, b) => (b.start < a.start ? b : a));
  const last = mine.reduce((a, b) => (b.end > a.end ? b : a));
  const total = mine.reduce((sum, s) => sum + (num(s.record.body, "total_sleep_time") ?? 0), 0);
  return { mine, first, last, total };
}

function summarize(date: string, window: DayWindow, ctx: Context): DaySummary {
  const { input, connected, datedOf, sources } = ctx;

  // The day's main sleep: the longest matched night filed under it.
  const night = (ctx.nights.get(date) ?? [])
    .map((cluster) => ({ cluster, longest: Math.max(...cluster.map((s) => num(s.record.body, "total_sleep_time") ?? 0)) }))
    .sort((a, b) => b.longest - a.longest)[0]?.cluster;
  const sleepCandidates = new Map<string, { value: SleepValue; ids: string[] }>();
  for (const source of new Set(night?.map((s) => s.source) ?? [])) {
    const { mine, first, last, total } = sourcePart(night!, source);
    const inBed = mine.reduce((sum, s) => sum + (num(s.record.body, "time_in_bed") ?? 0), 0);
    const stated = mine.length === 1 ? num(mine[0]!.record.body, "sleep_maintenance_efficiency_percentage") : null;
    const daily = datedOf("daily_sleep", date, source)[0];
    const score =
      mine.length === 1 ? (num(mine[0]!.record.body, "score") ?? (daily ? num(daily.body, "score") : null)) : daily ? num(daily.body, "score") : null;
    sleepCandidates.set(source, {
      value: {
        duration_s: total,
        efficiency_pct: stated !== null ? Math.round(stated * 10) / 10 : inBed > 0 ? Math.round((total / inBed) * 1000) / 10 : null,
        score,
        bedtime: interval(first.record.body).start ?? iso(first.start),
        wake: interval(last.record.body).end ?? iso(last.end),
      },
      ids: [...mine.map((s) => recId(s.id)), ...(daily && score !== null && num(mine[0]!.record.body, "score") === null ? [recId(daily.id)] : [])],
    });
  }
  const sleep = pick("sleep", sleepCandidates, input, connected);

  const napValues: NapValue[] = (ctx.naps.get(date) ?? []).map((cluster) => {
    const order = sourceOrder(
      "sleep",
      cluster.map((s) => s.source),
      input.overrides.sleep,
    );
    const lead = order[0]!;
    const { mine, first, last, total } = sourcePart(cluster, lead);
    return {
      duration_s: total,
      start: interval(first.record.body).start ?? iso(first.start),
      end: interval(last.record.body).end ?? iso(last.end),
      provenance: provenance(
        "sleep",
        order,
        lead,
        new Set(cluster.map((s) => s.source)),
        mine.map((s) => recId(s.id)),
        input.overrides,
        new Set(),
      ),
    };
  });

  const readinessCandidates = new Map<string, { value: { score: number }; ids: string[] }>();
  const restingCandidates = new Map<string, { value: { bpm: number }; ids: string[] }>();
  const hrvCandidates = new Map<string, { value: { rmssd_ms: number }; ids: string[] }>();
  const activityCandidates = new Map<string, { value: { steps: number; active_energy_kcal: number | null; active_minutes: number | null }; ids: string[] }>();
  for (const source of sources) {
    const readiness = datedOf("readiness", date, source)[0];
    const readinessScore = readiness ? num(readiness.body, "score") : null;
    if (readiness && readinessScore !== null) readinessCandidates.set(source, { value: { score: readinessScore }, ids: [recId(readiness.id)] });

    const nightOfSource = night?.filter((s) => s.source === source) ?? [];
    const mainSession = nightOfSource.sort((a, b) => b.end - b.start - (a.end - a.start))[0];

    // Resting heart rate: the source's daily value, else its readiness's, else its main sleep's lowest.
    const resting = datedOf("resting_heart_rate", date, source)[0];
    const restingBpm = resting ? num(resting.body, "heart_rate") : null;
    const readinessRhr = readiness ? num(readiness.body, "resting_heart_rate") : null;
    const lowest = mainSession ? num(mainSession.record.body, "heart_rate_lowest") : null;
    if (resting && restingBpm !== null) restingCandidates.set(source, { value: { bpm: restingBpm }, ids: [recId(resting.id)] });
    else if (readiness && readinessRhr !== null) restingCandidates.set(source, { value: { bpm: readinessRhr }, ids: [recId(readiness.id)] });
    else if (mainSession && lowest !== null) restingCandidates.set(source, { value: { bpm: lowest }, ids: [recId(mainSession.id)] });

    // HRV (RMSSD): the source's readiness, else an HRV measurement over its main sleep, else the sleep's average.
    const readinessHrv = readiness ? num(readiness.body, "hrv_rmssd") : null;
    const overNight = mainSession ? ctx.hrvAt.get(`${source}|${mainSession.start}`) : undefined;
    const sessionHrv = mainSession ? num(mainSession.record.body, "hrv_rmssd_average") : null;
    if (readiness && readinessHrv !== null) hrvCandidates.set(source, { value: { rmssd_ms: readinessHrv }, ids: [recId(readiness.id)] });
    else if (overNight) hrvCandidates.set(source, { value: { rmssd_ms: num(overNight.body, "rmssd")! }, ids: [recId(overNight.id)] });
    else if (mainSession && sessionHrv !== null) hrvCandidates.set(source, { value: { rmssd_ms: sessionHrv }, ids: [recId(mainSession.id)] });

    const activity = datedOf("daily_activity", date, source)[0];
    const steps = activity ? num(activity.body, "step_count") : null;
    if (activity && steps !== null) {
      activityCandidates.set(source, {
        value: { steps, active_energy_kcal: num(activity.body, "active_energy_burned"), active_minutes: num(activity.body, "active_minutes") },
        ids: [recId(activity.id)],
      });
    }
  }
  // Steps from the device worn longest: the one that counted the most (one not worn counts none).
  const activityDefault = [...sourceOrder("activity", [...activityCandidates.keys(), ...connected])].sort(
    (a, b) => (activityCandidates.get(b)?.value.steps ?? -1) - (activityCandidates.get(a)?.value.steps ?? -1),
  );
  const activityOrder = input.overrides.activity
    ? [input.overrides.activity, ...activityDefault.filter((s) => s !== input.overrides.activity)]
    : activityDefault;

  const weightCandidates = new Map<string, { value: { kg: number }; ids: string[] }>();
  for (const record of ctx.weighings) {
    if (record.startTime < window.start || record.startTime >= window.end) continue;
    const kg = num(record.body, "body_weight");
    const held = weightCandidates.get(record.source);
    // The day's last weighing of each source.
    if (kg !== null && (!held || record.startTime >= Number(held.ids[1])))
      weightCandidates.set(record.source, { value: { kg }, ids: [recId(record.id), String(record.startTime)] });
  }
  for (const held of weightCandidates.values()) held.ids = held.ids.slice(0, 1);

  const glucoseCandidates = new Map<string, { value: NonNullable<DaySummary["glucose"]>["value"]; ids: string[] }>();
  const expected = Math.max(1, Math.floor((window.end - window.start) / (5 * 60_000)));
  for (const sums of input.glucose.get(date) ?? []) {
    if (sums.n === 0 || sums.mean === null) continue;
    const inRange = 1 - ((sums.below ?? 0) + (sums.above ?? 0)) / sums.n;
    glucoseCandidates.set(sums.source, {
      value: {
        time_in_range_pct: Math.round(inRange * 1000) / 10,
        mean_mgdl: Math.round(sums.mean),
        // Glucose Management Indicator (Bergenstal et al. 2018), as src/domain/glucose-stats.ts computes it.
        gmi_pct: Math.round((3.31 + 0.02392 * sums.mean) * 10) / 10,
        readings: sums.n,
        coverage_pct: Math.round(Math.min(1, sums.n / expected) * 1000) / 10,
      },
      // Readings are samples of a day, summed in the store: the day's window names them.
      ids: [],
    });
  }

  const activity = pick("activity", activityCandidates, input, connected, activityOrder);
  const glucose = pick("glucose", glucoseCandidates, input, connected);
  const workoutValues: WorkoutValue[] = (ctx.workouts.get(date) ?? []).map((cluster) => {
    const order = sourceOrder(
      "activity",
      cluster.map((r) => r.source),
      input.overrides.activity,
    );
    const lead = cluster.find((r) => r.source === order[0])!;
    return {
      activity: String(lead.body.activity_name ?? "workout"),
      start: interval(lead.body).start ?? iso(lead.startTime),
      end: interval(lead.body).end ?? iso(lead.endTime!),
      duration_s: Math.round((lead.endTime! - lead.startTime) / 1000),
      provenance: provenance("activity", order, lead.source, new Set(cluster.map((r) => r.source)), [recId(lead.id)], input.overrides, new Set()),
    };
  });

  const summary: Omit<DaySummary, "bonus" | "final"> = {
    date,
    time_zone: window.zone,
    start: iso(window.start),
    end: iso(window.end),
    sleep,
    naps: napValues,
    readiness: pick("readiness", readinessCandidates, input, connected),
    activity,
    resting_heart_rate: pick("resting_heart_rate", restingCandidates, input, connected),
    hrv: pick("hrv", hrvCandidates, input, connected),
    glucose,
    weight: pick("weight", weightCandidates, input, connected),
    workouts: workoutValues,
  };
  const bonus = wearableBonus({
    sleepSeconds: sleep?.value.duration_s ?? null,
    steps: activity?.value.steps ?? null,
    activeMinutes: activity?.value.active_minutes ?? null,
    glucose: glucose ? { inRange: glucose.value.time_in_range_pct / 100, coverage: glucose.value.coverage_pct / 100 } : null,
  });
  return { ...summary, bonus, final: isFinal(window, input) };
}

/**
 * A day is final once every connected source has sent something from after the day's end (its pull or push for
 * the day is done), or 72 hours after the day's end in any case: late uploads past that do not change it.
 */
export function isFinal(window: DayWindow, input: Pick<PictureInput, "connected" | "latest" | "now">): boolean {
  if (input.now >= window.end + SETTLE_MS) return true;
  if (input.now < window.end || input.connected.length === 0) return false;
  return input.connected.every((source) => (input.latest[source] ?? Number.NEGATIVE_INFINITY) >= window.end);
}

/**
 * A `dateOf` for many instants: every time zone's offset is a multiple of 15 minutes and changes on a quarter
 * hour, so no day boundary falls inside a quarter hour and one lookup serves all of its instants.
 */
export function datesByQuarterHour(zones: readonly ZoneSpan[]): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    const quarter = Math.floor(ms / 900_000);
    let date = cache.get(quarter);
    if (date === undefined) {
      date = dateOf(quarter * 900_000, zones);
      cache.set(quarter, date);
    }
    return date;
  };
}

/** The dates a stored record can change: its own date, or the days its times fall in. */
export function datesTouched(
  record: Pick<DayRecord, "startTime" | "endTime" | "data">,
  zones: readonly ZoneSpan[],
  dateAt: (ms: number) => string = (ms) => dateOf(ms, zones),
): string[] {
  const dates = new Set<string>();
  try {
    const body = JSON.parse(record.data) as Body;
    if (typeof body.date === "string") dates.add(body.date);
    const stated = statedLocalDate(interval(body).end);
    if (stated) dates.add(stated);
  } catch {
    // Unreadable bodies change nothing.
  }
  dates.add(dateAt(record.startTime));
  if (record.endTime !== null) dates.add(dateAt(record.endTime));
  return [...dates];
}
