import { mgdlToMmoll } from "../src/domain/units";
import { relativeTime } from "./format";

/** One CGM reading as the card and the live push need it. */
export interface GlucosePoint {
  time: number;
  mgdl: number;
  trend: string;
  status?: string | undefined;
}

export const TARGET_RANGE_MGDL = { low: 70, high: 180 } as const;
/** Nightscout's stale-data alarms: warn at 15 minutes past the expected reading, urgent at 30. */
export const STALE_WARN_MS = 15 * 60_000;
export const STALE_URGENT_MS = 30 * 60_000;
export const READING_INTERVAL_MS = 5 * 60_000;

const TREND_ARROWS: Record<string, { arrow: string; words: string }> = {
  doubleUp: { arrow: "⇈", words: "rising quickly" },
  singleUp: { arrow: "↑", words: "rising" },
  fortyFiveUp: { arrow: "↗", words: "rising slowly" },
  flat: { arrow: "→", words: "steady" },
  fortyFiveDown: { arrow: "↘", words: "falling slowly" },
  singleDown: { arrow: "↓", words: "falling" },
  doubleDown: { arrow: "⇊", words: "falling quickly" },
};

export type Staleness = "fresh" | "late" | "stale";

/**
 * How late the newest reading is, measured from when it should have been visible: its time plus one reading
 * interval plus Dexcom's data delay. "As of" is always shown; this only adds the warning.
 */
export function staleness(latest: number | null, now: number, delayMs: number): Staleness {
  if (latest === null) return "stale";
  const overdue = now - (latest + READING_INTERVAL_MS + delayMs);
  return overdue > STALE_URGENT_MS ? "stale" : overdue > STALE_WARN_MS ? "late" : "fresh";
}

function Sparkline({ points, now }: { points: GlucosePoint[]; now: number }) {
  const width = 180;
  const height = 44;
  const span = 3 * 60 * 60_000;
  const end = points.at(-1)?.time ?? now;
  const start = end - span;
  const min = 40;
  const max = 300;
  const x = (t: number) => ((t - start) / span) * width;
  const y = (v: number) => height - ((Math.min(max, Math.max(min, v)) - min) / (max - min)) * height;
  const inWindow = points.filter((p) => p.time >= start);
  const path = inWindow.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.time).toFixed(1)},${y(p.mgdl).toFixed(1)}`).join(" ");
  return (
    <svg class="sparkline" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`Last 3 hours: ${inWindow.length} readings`}>
      <rect x="0" y={y(TARGET_RANGE_MGDL.high)} width={width} height={y(TARGET_RANGE_MGDL.low) - y(TARGET_RANGE_MGDL.high)} class="band" />
      {path ? <path d={path} class="line" /> : null}
    </svg>
  );
}

/**
 * The live part of the Dexcom card: latest value, trend, "as of", a 3-hour sparkline, and a warning when
 * readings stop arriving. Rendered on the settings page from D1 and pushed by the user's Durable Object as
 * new readings land.
 */
export function GlucoseLive({ points, now, delayMs }: { points: GlucosePoint[]; now: number; delayMs: number }) {
  const latest = points.at(-1) ?? null;
  const state = staleness(latest?.time ?? null, now, delayMs);
  if (!latest) {
    return (
      <div class="glucose" id="glucose-live">
        <p class="meta">No readings yet. Dexcom shares readings about {Math.round(delayMs / 3_600_000)} h after they are taken.</p>
      </div>
    );
  }
  const trend = TREND_ARROWS[latest.trend];
  const out = latest.mgdl < TARGET_RANGE_MGDL.low ? "low" : latest.mgdl > TARGET_RANGE_MGDL.high ? "high" : "in-range";
  const limit = latest.status === "high" ? "above " : latest.status === "low" ? "below " : "";
  return (
    <div class={`glucose glucose-${out} glucose-${state}`} id="glucose-live">
      <p class="glucose-value">
        <span class="value">
          {limit}
          {latest.mgdl}
        </span>{" "}
        <span class="unit">mg/dL</span> <span class="molar">({mgdlToMmoll(latest.mgdl)} mmol/L)</span>
        {trend ? (
          <span class="trend" title={trend.words}>
            {" "}
            {trend.arrow}
            <span class="visually-hidden"> {trend.words}</span>
          </span>
        ) : null}
      </p>
      <Sparkline points={points} now={now} />
      <p class="meta">
        As of <time datetime={new Date(latest.time).toISOString()}>{relativeTime(latest.time, now)}</time>
        {state === "fresh" ? " (Dexcom shares readings with a delay)" : null}
      </p>
      {state !== "fresh" ? (
        <p class={state === "stale" ? "reason urgent" : "reason"} role="status">
          {state === "stale" ? "No new readings for over 30 minutes past when one was due." : "The next reading is more than 15 minutes late."}
        </p>
      ) : null}
    </div>
  );
}
