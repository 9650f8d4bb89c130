/**
 * Server-rendered SVG charts: no chart library, no script, no inline style (the CSP forbids it); colours come
 * from presentation attributes and app.css. Every chart has a text summary for screen readers and its numbers in
 * a table under a disclosure.
 */

export interface ChartPoint {
  label: string;
  value: number | null;
}

const WIDTH = 560;
const HEIGHT = 160;
const PAD = { top: 12, right: 8, bottom: 22, left: 34 };

function niceMax(values: number[], floor: number): number {
  const max = Math.max(floor, ...values);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / magnitude) * magnitude;
}

const format = (value: number) => (Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1));

export function BarChart({ id, title, unit, points, floor = 1 }: { id: string; title: string; unit: string; points: ChartPoint[]; floor?: number }) {
  const measured = points.filter((p): p is { label: string; value: number } => p.value !== null);
  const max = niceMax(
    measured.map((p) => p.value),
    floor,
  );
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(points.length, 1);
  const average = measured.length ? measured.reduce((sum, p) => sum + p.value, 0) / measured.length : null;
  const summary = measured.length
    ? `${title}: ${measured.length} of ${points.length} days measured, average ${format(Math.round(average! * 10) / 10)} ${unit}, latest ${format(measured.at(-1)!.value)} ${unit}.`
    : `${title}: no data in the last ${points.length} days.`;
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        {title} <span class="muted">({unit})</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={PAD.left} y1={PAD.top + plotHeight} x2={WIDTH - PAD.right} y2={PAD.top + plotHeight} class="axis" />
        <text x={PAD.left - 4} y={PAD.top + 8} text-anchor="end" class="tick">
          {format(max)}
        </text>
        <text x={PAD.left - 4} y={PAD.top + plotHeight} text-anchor="end" class="tick">
          0
        </text>
        {points.map((point, index) => {
          const x = PAD.left + index * slot + slot * 0.15;
          const barHeight = point.value === null ? 0 : (point.value / max) * plotHeight;
          return (
            <>
              {point.value === null ? (
                <text x={x + slot * 0.35} y={PAD.top + plotHeight - 4} text-anchor="middle" class="missing">
                  –
                </text>
              ) : (
                <rect x={x} y={PAD.top + plotHeight - barHeight} width={slot * 0.7} height={barHeight} rx="2" class="bar">
                  <title>{`${point.label}: ${format(point.value)} ${unit}`}</title>
                </rect>
              )}
              {index % 2 === points.length % 2 ? null : (
                <text x={x + slot * 0.35} y={HEIGHT - 6} text-anchor="middle" class="tick">
                  {point.label.slice(5)}
                </text>
              )}
            </>
          );
        })}
      </svg>
      <details class="chart-data">
        <summary>Show the numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">{unit}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((point) => (
              <tr>
                <td>{point.label}</td>
                <td>{point.value === null ? "no data" : format(point.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
