import type { GlucoseStats } from "../src/domain/glucose-stats";
import { type GlucosePoint, TARGET_RANGE_MGDL } from "./glucose";

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 10, right: 10, bottom: 24, left: 36 };
const MIN = 40;
const MAX = 400;
const DAY_MS = 86_400_000;

const percent = (share: number | null) => (share === null ? "–" : `${Math.round(share * 100)} %`);

/** 24 hours of readings against the 70–180 mg/dL target band; gaps (over 15 minutes) break the line. */
export function GlucoseDay({ points, end }: { points: GlucosePoint[]; end: number }) {
  const start = end - DAY_MS;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - start) / DAY_MS) * plotW;
  const y = (v: number) => PAD.top + plotH - ((Math.min(MAX, Math.max(MIN, v)) - MIN) / (MAX - MIN)) * plotH;
  const inDay = points.filter((p) => p.time >= start && p.time <= end);
  let d = "";
  let previous: number | null = null;
  for (const point of inDay) {
    d += `${previous === null || point.time - previous > 15 * 60_000 ? "M" : "L"}${x(point.time).toFixed(1)},${y(point.mgdl).toFixed(1)} `;
    previous = point.time;
  }
  const hours = [0, 6, 12, 18, 24].map((h) => start + h * 3_600_000);
  const label = inDay.length
    ? `Glucose over the 24 hours to ${new Date(end).toISOString().slice(11, 16)} UTC: ${inDay.length} readings, lowest ${Math.min(...inDay.map((p) => p.mgdl))}, highest ${Math.max(...inDay.map((p) => p.mgdl))} mg/dL.`
    : "No glucose readings in these 24 hours.";
  return (
    <figure class="chart glucose-day">
      <figcaption>Last 24 hours of readings (mg/dL), target 70–180</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        <rect x={PAD.left} y={y(TARGET_RANGE_MGDL.high)} width={plotW} height={y(TARGET_RANGE_MGDL.low) - y(TARGET_RANGE_MGDL.high)} class="band" />
        {[TARGET_RANGE_MGDL.low, TARGET_RANGE_MGDL.high, 300].map((v) => (
          <text x={PAD.left - 4} y={y(v) + 4} text-anchor="end" class="tick">
            {v}
          </text>
        ))}
        {hours.map((t) => (
          <text x={x(t)} y={HEIGHT - 6} text-anchor="middle" class="tick">
            {new Date(t).toISOString().slice(11, 16)}
          </text>
        ))}
        {d ? <path d={d.trim()} class="line" /> : null}
      </svg>
    </figure>
  );
}

export function GlucoseStatsTable({ stats, days }: { stats: GlucoseStats; days: number }) {
  return (
    <table class="runs glucose-stats">
      <caption>
        Last {days} days ({stats.readings} readings, {percent(stats.coverage)} of expected)
      </caption>
      <tbody>
        <tr>
          <th scope="row">Time in range (70–180)</th>
          <td>{percent(stats.inRange)}</td>
        </tr>
        <tr>
          <th scope="row">Time below range (&lt; 70)</th>
          <td>{percent(stats.below)}</td>
        </tr>
        <tr>
          <th scope="row">Time above range (&gt; 180)</th>
          <td>{percent(stats.above)}</td>
        </tr>
        <tr>
          <th scope="row">Average glucose</th>
          <td>{stats.meanMgdl === null ? "–" : `${Math.round(stats.meanMgdl)} mg/dL`}</td>
        </tr>
        <tr>
          <th scope="row">GMI (glucose management indicator)</th>
          <td>{stats.gmi === null ? "–" : `${stats.gmi} %`}</td>
        </tr>
      </tbody>
    </table>
  );
}
