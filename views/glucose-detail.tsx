import type { GlucoseStats } from "../src/domain/glucose-stats";
import { type GlucosePoint, TARGET_RANGE_MGDL } from "./glucose";

const WIDTH = 400;
const HEIGHT = 220;
const PAD = { top: 10, right: 22, bottom: 26, left: 38 };
const MIN = 40;
const MAX = 400;
const DAY_MS = 86_400_000;

const percent = (share: number | null) => (share === null ? "–" : `${Math.round(share * 100)} %`);

/** "14:00" in the person's time zone. */
function clock(timeZone: string) {
  const format = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  return (t: number) => format.format(t);
}

/**
 * 24 hours of readings against the 70–180 mg/dL target band; gaps (over 15 minutes) break the line. The time axis
 * is in the person's time zone (named in the caption), labelled every six local hours.
 */
export function GlucoseDay({ points, end, timeZone = "UTC" }: { points: GlucosePoint[]; end: number; timeZone?: string }) {
  const start = end - DAY_MS;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - start) / DAY_MS) * plotW;
  const y = (v: number) => PAD.top + plotH - ((Math.min(MAX, Math.max(MIN, v)) - MIN) / (MAX - MIN)) * plotH;
  const inDay = points.filter((p) => p.time >= start && p.time <= end);
  const at = clock(timeZone);
  let d = "";
  let previous: number | null = null;
  for (const point of inDay) {
    d += `${previous === null || point.time - previous > 15 * 60_000 ? "M" : "L"}${x(point.time).toFixed(1)},${y(point.mgdl).toFixed(1)} `;
    previous = point.time;
  }
  // Every whole local hour divisible by six inside the window (a zone's offset may be a half or quarter hour).
  const hours: number[] = [];
  for (let t = Math.ceil(start / (15 * 60_000)) * 15 * 60_000; t <= end; t += 15 * 60_000) {
    const label = at(t);
    if (label.endsWith(":00") && Number(label.slice(0, 2)) % 6 === 0) hours.push(t);
  }
  const zoneName = timeZone === "UTC" ? "UTC" : timeZone.replaceAll("_", " ");
  const label = inDay.length
    ? `Glucose over the 24 hours to ${at(end)} (${zoneName}): ${inDay.length} readings, lowest ${Math.min(...inDay.map((p) => p.mgdl))}, highest ${Math.max(...inDay.map((p) => p.mgdl))} mg/dL.`
    : "No glucose readings in these 24 hours.";
  return (
    <figure class="chart glucose-day">
      <figcaption>
        Last 24 hours of readings (mg/dL), target 70–180 <span class="muted">· times in {zoneName}</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        <rect x={PAD.left} y={y(TARGET_RANGE_MGDL.high)} width={plotW} height={y(TARGET_RANGE_MGDL.low) - y(TARGET_RANGE_MGDL.high)} class="band" />
        {[MIN, TARGET_RANGE_MGDL.low, TARGET_RANGE_MGDL.high, 250, 300, MAX].map((v) => (
          <>
            <line x1={PAD.left} y1={y(v)} x2={WIDTH - PAD.right} y2={y(v)} class={v === MIN ? "axis" : "grid"} />
            {/* 40 sits too close to 70 to be read: the axis line marks it. */}
            {v === MIN ? null : (
              <text x={PAD.left - 5} y={y(v) + 4} text-anchor="end" class="tick">
                {v}
              </text>
            )}
          </>
        ))}
        {hours.map((t) => (
          <>
            <line x1={x(t)} y1={PAD.top} x2={x(t)} y2={PAD.top + plotH} class="grid" />
            <text x={x(t)} y={HEIGHT - 8} text-anchor="middle" class="tick">
              {at(t)}
            </text>
          </>
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
