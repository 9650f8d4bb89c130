import { z } from "zod";
import { MalformedPayloadError } from "../../domain/records";
import type { PullContext, SyncWindow } from "../types";

/**
 * Dexcom API v3 data calls. Each takes a DexcomContext (a PullContext's `request` plus the regional data host,
 * see auth.ts `dexcomHost`), so the sync engine and the user's Durable Object call the same code.
 */

export const DEXCOM_PATHS = {
  dataRange: "/v3/users/self/dataRange",
  egvs: "/v3/users/self/egvs",
  calibrations: "/v3/users/self/calibrations",
  events: "/v3/users/self/events",
  alerts: "/v3/users/self/alerts",
  devices: "/v3/users/self/devices",
} as const;

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;

/**
 * The widest startDate–endDate window we ask for. Dexcom's v3 pages do not state a limit; integrators quote
 * 30 days (Tidepool's client: "DataRangeDaysMaximum = 30 // Per Dexcom documentation"), older v2 pages 90.
 */
export const MAX_WINDOW_MS = 30 * DAY_MS;

export interface DexcomContext {
  request: PullContext["request"];
  /** e.g. `https://api.dexcom.com`; from `dexcomHost(env)`. */
  host: string;
}

export function dexcomContext(ctx: Pick<PullContext, "request">, host: string): DexcomContext {
  return { host, request: (url, init) => ctx.request(url, init) };
}

/** Dexcom's documented query format: UTC, whole seconds, no offset (`2022-02-06T09:12:35`). */
export function dexcomDateTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / SECOND_MS) * SECOND_MS).toISOString().slice(0, 19);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch ms of a Dexcom date-time, or null when it is not one. Dexcom mixes `…T03:59:11`, `…+00:00`, `…Z` and
 * fractional seconds, and a devices sample even has a seconds-precision offset (`-06:59:59`). A time without an
 * offset is UTC: systemTime is "the time according to the system clock … (UTC)" even when receivers omit the offset.
 */
export function parseDexcomTime(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [fraction, zone] = [match[7], match[8]];
  // Date.UTC maps years 0–99 to 1900–1999; no CGM reading predates 1970 anyway.
  if (year < 1970) return null;
  const millis = fraction ? Number(fraction.slice(0, 3).padEnd(3, "0")) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  if (month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  return utc - offsetMs(zone);
}

function offsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replaceAll(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  const seconds = Number(digits.slice(4, 6) || "0");
  const sign = zone.startsWith("-") ? -1 : 1;
  return sign * ((hours * 60 + minutes) * 60 + seconds) * SECOND_MS;
}

/**
 * Splits a window into consecutive windows of at most `maxMs`, oldest first, on whole seconds (the query
 * format's precision) so that no formatted request is wider than the limit.
 */
export function chunkWindow(window: SyncWindow, maxMs = MAX_WINDOW_MS): SyncWindow[] {
  const start = Math.floor(window.start / SECOND_MS) * SECOND_MS;
  const end = Math.ceil(window.end / SECOND_MS) * SECOND_MS;
  const chunks: SyncWindow[] = [];
  for (let from = start; from < end; from += maxMs) chunks.push({ start: from, end: Math.min(from + maxMs, end) });
  return chunks;
}

const DexcomTime = z.string().transform((text, ctx) => {
  const epochMs = parseDexcomTime(text);
  if (epochMs === null) {
    ctx.addIssue({ code: "custom", message: "is not a date-time" });
    return z.NEVER;
  }
  return epochMs;
});
const Moment = z.object({ systemTime: DexcomTime, displayTime: z.string().optional() });
const Span = z.object({ start: Moment, end: Moment }).nullish();

const DataRangeBody = z.object({
  recordType: z.string(),
  recordVersion: z.string(),
  userId: z.string(),
  calibrations: Span,
  egvs: Span,
  events: Span,
});

/** systemTime bounds (epoch ms, both inclusive) of one kind of record; null when the person has none. */
export interface DexcomSpan {
  start: number;
  end: number;
}

export interface DexcomDataRange {
  userId: string;
  egvs: DexcomSpan | null;
  calibrations: DexcomSpan | null;
  events: DexcomSpan | null;
}

/** Pure: a /dataRange body → the systemTime span of each kind. Throws MalformedPayloadError otherwise. */
export function parseDataRange(body: unknown): DexcomDataRange {
  const parsed = DataRangeBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedPayloadError(`dexcom dataRange: ${issue?.path.join(".") || "body"} ${issue?.message ?? "is invalid"}`);
  }
  const span = (s: z.infer<typeof Span>): DexcomSpan | null => (s ? { start: s.start.systemTime, end: s.end.systemTime } : null);
  const { userId, egvs, calibrations, events } = parsed.data;
  return { userId, egvs: span(egvs), calibrations: span(calibrations), events: span(events) };
}

/**
 * The response body as JSON, or as its text when it is not JSON: judging a body is `normalizeDexcom`'s job, which
 * rejects anything but the v3 envelope with MalformedPayloadError.
 */
async function getBody(ctx: DexcomContext, path: string, query: Record<string, string>): Promise<unknown> {
  const url = new URL(path, ctx.host);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const text = await (await ctx.request(url)).text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** startDate floored and endDate ceiled to whole seconds, so the request covers the whole window. */
function windowQuery(window: SyncWindow): Record<string, string> {
  const start = Math.floor(window.start / SECOND_MS) * SECOND_MS;
  const end = Math.ceil(window.end / SECOND_MS) * SECOND_MS;
  if (!(end > start)) throw new RangeError("the window must end after it starts");
  if (end - start > MAX_WINDOW_MS) throw new RangeError("a Dexcom request window may span at most 30 days: use chunkWindow");
  return { startDate: dexcomDateTime(start), endDate: dexcomDateTime(end) };
}

/**
 * The earliest and latest record of each kind. With `lastSyncTime`, Dexcom reports only data newer than it;
 * unlike startDate/endDate, this one is sent with an offset (`Z`), as in Dexcom's own request sample.
 */
export async function getDataRange(ctx: DexcomContext, lastSyncTime?: number): Promise<DexcomDataRange> {
  return parseDataRange(await getDataRangeBody(ctx, lastSyncTime));
}

/** The /dataRange body unparsed, for a caller that also hands it to `normalizeDexcom("dataRange", body)`. */
export async function getDataRangeBody(ctx: DexcomContext, lastSyncTime?: number): Promise<unknown> {
  const query: Record<string, string> = lastSyncTime === undefined ? {} : { lastSyncTime: `${dexcomDateTime(lastSyncTime)}Z` };
  return getBody(ctx, DEXCOM_PATHS.dataRange, query);
}

/** The /egvs body for a window of at most 30 days, for `normalizeDexcom("egvs", body)`. */
export async function getEgvs(ctx: DexcomContext, window: SyncWindow): Promise<unknown> {
  return getBody(ctx, DEXCOM_PATHS.egvs, windowQuery(window));
}

export async function getCalibrations(ctx: DexcomContext, window: SyncWindow): Promise<unknown> {
  return getBody(ctx, DEXCOM_PATHS.calibrations, windowQuery(window));
}

export async function getEvents(ctx: DexcomContext, window: SyncWindow): Promise<unknown> {
  return getBody(ctx, DEXCOM_PATHS.events, windowQuery(window));
}

/** The /alerts body for a window of at most 30 days; dataRange says nothing about alerts, so the whole window is asked. */
export async function getAlerts(ctx: DexcomContext, window: SyncWindow): Promise<unknown> {
  return getBody(ctx, DEXCOM_PATHS.alerts, windowQuery(window));
}

/** v3 /devices takes no window: it returns every device on the account. */
export async function getDevices(ctx: DexcomContext): Promise<unknown> {
  return getBody(ctx, DEXCOM_PATHS.devices, {});
}
