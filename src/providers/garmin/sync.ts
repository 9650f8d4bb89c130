import { ProviderRequestError } from "../../sync/pull-context";
import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import { GARMIN_KINDS, type GarminKind, normalizeGarmin } from "./normalize";

const SUMMARY_ENDPOINT = "https://apis.garmin.com/wellness-api/rest";
const BACKFILL_ENDPOINT = "https://apis.garmin.com/wellness-api/rest/backfill";

/** Health API §7: "All summary data endpoints have a maximum query range of 24 hours by upload time." */
export const MAX_UPLOAD_WINDOW_SECONDS = 86_400;
/** Health API §8: "The maximum date range (inclusive) for a single backfill request is 90 days." */
export const MAX_BACKFILL_SECONDS = 90 * 86_400;

const BACKFILL_JOB_DAYS = 10;

export interface SecondsWindow {
  start: number;
  end: number;
}

/** Splits [start, end) into consecutive pieces of at most `maxSeconds`, in epoch seconds. */
function secondsWindows(window: SyncWindow, now: number, maxSeconds: number): SecondsWindow[] {
  // Whole seconds, flooring both ends, so consecutive sync windows stay contiguous once converted.
  const start = Math.floor(window.start / 1000);
  const end = Math.floor(Math.min(window.end, now) / 1000);
  const pieces: SecondsWindow[] = [];
  for (let from = start; from < end; from += maxSeconds) pieces.push({ start: from, end: Math.min(end, from + maxSeconds) });
  return pieces;
}

/** The ≤ 24 h upload-time windows a sync window is pulled in (never past `now`). */
export function uploadWindows(window: SyncWindow, now: number): SecondsWindow[] {
  return secondsWindows(window, now, MAX_UPLOAD_WINDOW_SECONDS);
}

function summaryUrl(kind: GarminKind, window: SecondsWindow): URL {
  const url = new URL(`${SUMMARY_ENDPOINT}/${kind}`);
  url.searchParams.set("uploadStartTimeInSeconds", String(window.start));
  url.searchParams.set("uploadEndTimeInSeconds", String(window.end));
  return url;
}

// Garmin is queried by *upload* time (when the watch synced), not by when the data was recorded: a pull of the
// last day returns every summary uploaded in it, however old, and a revised summary comes back with a new upload.
async function* pullGarmin(ctx: PullContext, window: SyncWindow): AsyncGenerator<PulledPage<GarminKind>> {
  const windows = uploadWindows(window, ctx.now);
  for (const kind of GARMIN_KINDS) {
    for (const upload of windows) {
      const response = await ctx.request(summaryUrl(kind, upload));
      yield { kind, body: await response.json() };
    }
  }
}

/**
 * Garmin pushes (or pings) as watches sync, and Garmin's production review rejects pull-only integrations
 * (Health API §9), so polling here is only a safety net for notifications that never arrived: every 6 hours,
 * re-reading the last day of uploads so up to three missed runs are caught up without a gap.
 */
export const garminSync: SyncSpec<GarminKind> = {
  kinds: GARMIN_KINDS,
  cadenceMinutes: 360,
  lookbackHours: 24,
  // Uploads made before the person connected are not pullable; requestGarminBackfill asks Garmin to push them.
  backfillDays: 30,
  backfillJobDays: BACKFILL_JOB_DAYS,
  // One request per kind per started day of the window (a window not aligned to the second adds one piece).
  maxRequestsPerJob: GARMIN_KINDS.length * (BACKFILL_JOB_DAYS + 1),
  pull: pullGarmin,
  normalize: normalizeGarmin,
  // History uploaded before the person connected cannot be pulled: Garmin pushes it after a backfill request.
  requestBackfill: async (ctx, window) => {
    for (const kind of GARMIN_KINDS) await requestGarminBackfill(ctx, kind, window);
  },
};

export interface GarminBackfillOutcome {
  /** Requests Garmin accepted (202); the summaries arrive later by push or ping. */
  requested: number;
  /** Requests Garmin refused as a repeat of an earlier one (409): that time is already requested. */
  alreadyRequested: number;
}

/**
 * Asks Garmin to re-send a kind's summaries *recorded* in the window (Health API §8). Garmin answers 202 at once
 * and delivers the data later through the configured push/ping endpoint; windows over 90 days are split.
 */
export async function requestGarminBackfill(ctx: PullContext, kind: GarminKind, window: SyncWindow): Promise<GarminBackfillOutcome> {
  const outcome: GarminBackfillOutcome = { requested: 0, alreadyRequested: 0 };
  for (const piece of secondsWindows(window, ctx.now, MAX_BACKFILL_SECONDS)) {
    const url = new URL(`${BACKFILL_ENDPOINT}/${kind}`);
    url.searchParams.set("summaryStartTimeInSeconds", String(piece.start));
    url.searchParams.set("summaryEndTimeInSeconds", String(piece.end));
    try {
      const response = await ctx.request(url);
      await response.body?.cancel();
      outcome.requested++;
    } catch (error) {
      if (!(error instanceof ProviderRequestError && error.status === 409)) throw error;
      outcome.alreadyRequested++;
    }
  }
  return outcome;
}
