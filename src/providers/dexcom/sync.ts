import { MalformedPayloadError } from "../../domain/records";
import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import {
  chunkWindow,
  type DexcomContext,
  type DexcomDataRange,
  type DexcomSpan,
  dexcomContext,
  getAlerts,
  getCalibrations,
  getDataRangeBody,
  getEgvs,
  getEvents,
  MAX_WINDOW_MS,
  parseDataRange,
} from "./api";
import { dexcomHost } from "./auth";
import { type DexcomKind, normalizeDexcom } from "./normalize";

/**
 * Backfill and hourly catch-up for Dexcom. The 5-minute live stream runs in the user's Durable Object on the same
 * api.ts calls; this spec re-reads what the stream may have missed (a phone that uploaded late, a DO restart).
 */

const DATA_KINDS = ["egvs", "calibrations", "events"] as const;
type DataKind = (typeof DATA_KINDS)[number];
const PULLED_KINDS = ["dataRange", ...DATA_KINDS, "alerts"] as const;

const FETCH: Record<DataKind, (ctx: DexcomContext, window: SyncWindow) => Promise<unknown>> = {
  egvs: getEgvs,
  calibrations: getCalibrations,
  events: getEvents,
};

const DAY_MS = 86_400_000;
const BACKFILL_JOB_DAYS = 7;

/**
 * The part of `window` where Dexcom has records of one kind: dataRange bounds are the first and last record's
 * systemTime (inclusive) while our windows end exclusively, hence the extra second.
 */
export function clampToSpan(window: SyncWindow, span: DexcomSpan | null, now: number): SyncWindow | null {
  if (!span) return null;
  const start = Math.max(window.start, span.start);
  const end = Math.min(window.end, span.end + 1000, now);
  return end > start ? { start, end } : null;
}

function dataRangeOf(body: unknown): DexcomDataRange | null {
  try {
    return parseDataRange(body);
  } catch (error) {
    if (error instanceof MalformedPayloadError) return null;
    throw error;
  }
}

/**
 * Asks dataRange what exists, then pulls each kind only where it has records, in ≤30-day chunks. The dataRange
 * body is yielded too: if Dexcom ever sends one we cannot read, normalize reports it (the run is partial) and the
 * pull goes on over the whole window instead of stopping.
 */
async function* pullDexcom(ctx: PullContext, host: string, window: SyncWindow): AsyncGenerator<PulledPage<DexcomKind>> {
  const dexcom = dexcomContext(ctx, host);
  const rangeBody = await getDataRangeBody(dexcom);
  yield { kind: "dataRange", body: rangeBody };
  const range = dataRangeOf(rangeBody);
  const everything: DexcomSpan = { start: window.start, end: window.end };
  for (const kind of DATA_KINDS) {
    const clamped = clampToSpan(window, range ? range[kind] : everything, ctx.now);
    if (!clamped) continue;
    for (const chunk of chunkWindow(clamped)) yield { kind, body: await FETCH[kind](dexcom, chunk) };
  }
  // dataRange has no span for alerts: they are asked for where readings exist (an alert is raised by the sensor
  // session and released with its readings). One raised after the newest released reading is read by a later run,
  // whose lookback covers it once readings are released past it.
  const alertSpan = range ? range.egvs : everything;
  const alertWindow = clampToSpan(window, alertSpan, ctx.now);
  for (const chunk of alertWindow ? chunkWindow(alertWindow) : []) yield { kind: "alerts", body: await getAlerts(dexcom, chunk) };
}

const settings = {
  kinds: PULLED_KINDS,
  cadenceMinutes: 60,
  // Dexcom releases data about 1 h late in the US and up to 3 h elsewhere, and a phone that was out of reach
  // uploads its backfill (up to a day of readings) when it reconnects. Re-reading a day costs no extra request:
  // one request per kind covers up to 30 days.
  lookbackHours: 24,
  backfillDays: 30,
  // A week of 5-minute readings (~2,000) per job keeps each job's writes small.
  backfillJobDays: BACKFILL_JOB_DAYS,
  // dataRange, then one request per kind (alerts included) for each ≤30-day chunk of the job's window.
  maxRequestsPerJob: 1 + (DATA_KINDS.length + 1) * Math.ceil((BACKFILL_JOB_DAYS * DAY_MS) / MAX_WINDOW_MS),
  normalize: normalizeDexcom,
} satisfies Omit<SyncSpec<DexcomKind>, "pull">;

/** The spec for one regional data host (US, EU, JP or Dexcom's sandbox): every token is bound to one. */
export function dexcomSyncFor(host: string): SyncSpec<DexcomKind> {
  return { ...settings, pull: (ctx, window) => pullDexcom(ctx, host, window) };
}

/**
 * The adapter's spec. DEXCOM_REGION is deployment configuration (every connection of a deployment was authorized
 * at the same regional host), so it is read from the Worker's env when a pull starts.
 */
export const dexcomSync: SyncSpec<DexcomKind> = {
  ...settings,
  pull: (ctx, window) => pullDexcom(ctx, dexcomHost(ctx.env), window),
};
