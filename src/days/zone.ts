/**
 * Civil days in a person's time zone. A day is [local midnight, the next day's local midnight): 23 or 25 hours
 * across a DST change, and shorter or longer on the day a person changes time zone (each day is counted in the
 * zone the person was in on it). Intl does the zone arithmetic; nothing here assumes a fixed offset.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A time zone the person was in from a date on (inclusive) until the next entry's date. */
export interface ZoneSpan {
  from: string;
  zone: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether Intl knows `zone` as an IANA time zone (what the settings form accepts). */
export function isTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parts(ms: number, zone: string): { date: string; wall: number } {
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(ms)) p[part.type] = part.value;
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, wall: Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) };
}

/** The civil date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(ms: number, zone: string): string {
  return parts(ms, zone).date;
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetAt(ms: number, zone: string): number {
  const seconds = Math.floor(ms / 1000) * 1000;
  return parts(seconds, zone).wall - seconds;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Day starts already found: a pure function of (zone, date), asked for twice per day and once per record. */
const starts = new Map<string, number>();
const STARTS_KEPT = 20_000;

/** The first instant of a civil date in a zone (local midnight, or the end of a DST gap that swallows midnight). */
export function startOfDay(date: string, zone: string): number {
  const key = `${zone}|${date}`;
  let start = starts.get(key);
  if (start === undefined) {
    if (starts.size >= STARTS_KEPT) starts.clear();
    start = findStartOfDay(date, zone);
    starts.set(key, start);
  }
  return start;
}

function findStartOfDay(date: string, zone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  let t = wall - offsetAt(wall, zone);
  t = wall - offsetAt(t, zone);
  if (localDate(t, zone) === date && localDate(t - 1, zone) < date) return t;
  // Midnight does not exist (or is doubled) here: find the first second of the date by bisection.
  let lo = wall - 27 * HOUR;
  let hi = wall + 27 * HOUR;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (localDate(mid, zone) < date) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The zone a person was in on a date: the latest span starting on or before it, else the earliest known. */
export function zoneOn(date: string, spans: readonly ZoneSpan[]): string {
  let zone = spans[0]?.zone ?? "UTC";
  for (const span of spans) if (span.from <= date) zone = span.zone;
  return zone;
}

export interface DayWindow {
  date: string;
  zone: string;
  start: number;
  end: number;
}

/**
 * The day's instants: from its midnight in the zone of that day to the next day's midnight in the zone of the next
 * day, so consecutive days tile time with no gap and no overlap, whatever the person's travels.
 */
export function dayWindow(date: string, spans: readonly ZoneSpan[]): DayWindow {
  const zone = zoneOn(date, spans);
  const start = startOfDay(date, zone);
  const next = addDays(date, 1);
  return { date, zone, start, end: Math.max(start, startOfDay(next, zoneOn(next, spans))) };
}

/** The civil date whose window holds an instant. */
export function dateOf(ms: number, spans: readonly ZoneSpan[]): string {
  const guess = localDate(ms, zoneOn(localDate(ms, "UTC"), spans));
  for (const date of [guess, addDays(guess, -1), addDays(guess, 1)]) {
    const w = dayWindow(date, spans);
    if (ms >= w.start && ms < w.end) return date;
  }
  return guess;
}

const OFFSET_TEXT = /^(\d{4}-\d{2}-\d{2})T[^Z+-]*([+-]\d{2}:\d{2})$/;

/**
 * The local date an ISO date-time carries when it was written with the wearer's own offset (Oura, WHOOP and
 * Garmin write the offset where the person was): the device knew where they were, which a setting may not yet.
 * A UTC time ("Z" or "+00:00") says nothing about where the person was: null, and the person's zone decides.
 */
export function statedLocalDate(text: string | undefined): string | null {
  const match = text ? OFFSET_TEXT.exec(text) : null;
  // "+00:00" is what aggregators write for UTC (Junction gives the wearer's offset in a separate field), so it says
  // no more than "Z" does; a Londoner's "+00:00" gets the same date from their zone.
  return match && match[2] !== "+00:00" ? match[1]! : null;
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
  return dates;
}
