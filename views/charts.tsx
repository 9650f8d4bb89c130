import type { Child } from "hono/jsx";

/**
 * Server-rendered SVG charts: no chart library, no script, no inline style (the CSP forbids it); colours come
 * from presentation attributes and app.css. Every chart has a text summary for screen readers and its numbers in
 * a table under a disclosure.
 *
 * The drawing keeps its aspect ratio (text is never squeezed) and its coordinate width is close to the width it is
 * shown at on a phone, so 12-unit labels stay about 11 px there. The left margin fits a five-digit tick
 * ("10,000") and the right margin half a label, so neither end is cut off.
 */

export interface ChartPoint {
  label: string;
  value: number | null;
}

export const CHART_WIDTH = 360;
const HEIGHT = 180;
const PAD = { top: 10, right: 14, bottom: 24, left: 50 };

/** Round tick values (1, 2 or 5 × 10ⁿ apart) covering [low, high], about `count` of them. */
export function niceTicks(low: number, high: number, count = 4): number[] {
  if (!(high > low)) high = low + 1;
  const rough = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude) as number;
  const first = Math.floor(low / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < high + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

const format = (value: number) => (Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1));

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Nov 16" for the first day shown and the first of a month, the day of the month otherwise. */
function dayLabel(date: string, index: number): string {
  const [, month, day] = date.split("-").map(Number) as [number, number, number];
  return index === 0 || day === 1 ? `${MONTHS[month - 1]} ${day}` : String(day);
}

/**
 * A chart's figures as a table, closed under "Show the numbers": the same data for screen readers and for anyone
 * who wants the values rather than the shape. Rows are cells in the columns' order.
 */
export function ChartNumbers({ columns, rows }: { columns: readonly string[]; rows: readonly (readonly Child[])[] }) {
  return (
    <details class="chart-data">
      <summary>Show the numbers</summary>
      <table>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((cells) => (
            <tr>
              {cells.map((cell) => (
                <td>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function BarChart({
  id,
  title,
  unit,
  points,
  floor = 1,
  style = "bars",
}: {
  id: string;
  title: string;
  unit: string;
  points: ChartPoint[];
  /** The y axis reaches at least this high, so a week of small values does not look like a week of large ones. */
  floor?: number;
  /**
   * `bars` start at zero (a count or a score); `line` fits its axis to the values, for measures whose variation
   * matters and whose zero means nothing (resting heart rate), where bars from zero would hide the change.
   */
  style?: "bars" | "line";
}) {
  const measured = points.filter((p): p is { label: string; value: number } => p.value !== null);
  const values = measured.map((p) => p.value);
  const ticks =
    style === "line" && values.length ? niceTicks(Math.min(...values) - 2, Math.max(...values) + 2, 3) : niceTicks(0, Math.max(floor, ...values), 4);
  const low = ticks[0]!;
  const high = ticks.at(-1)!;
  const plotWidth = CHART_WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(points.length, 1);
  const y = (v: number) => PAD.top + plotHeight - ((v - low) / (high - low)) * plotHeight;
  const center = (index: number) => PAD.left + index * slot + slot / 2;
  const average = measured.length ? values.reduce((sum, v) => sum + v, 0) / measured.length : null;
  const summary = measured.length
    ? `${title}: ${measured.length} of ${points.length} days measured, average ${format(Math.round(average! * 10) / 10)} ${unit}, latest ${format(measured.at(-1)!.value)} ${unit}.`
    : `${title}: no data in the last ${points.length} days.`;
  // A line breaks where a day has no value, rather than drawing through it.
  let path = "";
  points.forEach((point, index) => {
    if (point.value === null) return;
    const previous = points[index - 1];
    path += `${index === 0 || !previous || previous.value === null ? "M" : "L"}${center(index).toFixed(1)},${y(point.value).toFixed(1)} `;
  });
  if (measured.length === 0) {
    // Nothing to draw: one quiet line instead of an empty grid (the source may not measure this at all).
    return (
      <figure class="chart chart-empty" aria-labelledby={`${id}-title`}>
        <figcaption id={`${id}-title`}>
          {title} <span class="muted">({unit})</span>
        </figcaption>
        <p class="muted">No data in the last {points.length} days.</p>
      </figure>
    );
  }
  const labelEvery = points.length > 10 ? 2 : 1;
  const firstLabelled = (points.length - 1) % labelEvery;
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        {title} <span class="muted">({unit})</span>
      </figcaption>
      <svg viewBox={`0 0 ${CHART_WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        {ticks.map((tick) => (
          <>
            <line x1={PAD.left} y1={y(tick)} x2={CHART_WIDTH - PAD.right} y2={y(tick)} class={tick === low ? "axis" : "grid"} />
            <text x={PAD.left - 6} y={y(tick) + 4} text-anchor="end" class="tick">
              {format(tick)}
            </text>
          </>
        ))}
        {style === "line" && path ? <path d={path.trim()} class="line" /> : null}
        {points.map((point, index) => (
          <>
            {point.value === null ? (
              <text x={center(index)} y={PAD.top + plotHeight - 4} text-anchor="middle" class="missing">
                –
              </text>
            ) : style === "line" ? (
              <circle cx={center(index)} cy={y(point.value)} r="3.5" class="dot">
                <title>{`${point.label}: ${format(point.value)} ${unit}`}</title>
              </circle>
            ) : (
              <rect x={center(index) - slot * 0.35} y={y(point.value)} width={slot * 0.7} height={y(low) - y(point.value)} rx="2" class="bar">
                <title>{`${point.label}: ${format(point.value)} ${unit}`}</title>
              </rect>
            )}
            {(points.length - 1 - index) % labelEvery === 0 ? (
              <text x={center(index)} y={HEIGHT - 6} text-anchor="middle" class="tick">
                {dayLabel(point.label, index === firstLabelled ? 0 : index)}
              </text>
            ) : null}
          </>
        ))}
      </svg>
      <ChartNumbers columns={["Day", unit]} rows={points.map((point) => [point.label, point.value === null ? "no data" : format(point.value)])} />
    </figure>
  );
}
