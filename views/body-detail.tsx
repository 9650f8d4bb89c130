import type { Child } from "hono/jsx";
import { ChartNumbers } from "./charts";

/**
 * A scale's detail: the weight trend in the person's unit, body composition, and blood pressure when there is any.
 * Server-rendered SVG like views/charts.tsx: no script, no inline style, a text summary for screen readers and the
 * numbers under a disclosure.
 */

export type WeightUnit = "kg" | "lb";

const KG_PER_LB = 0.45359237;
const DAY_MS = 86_400_000;
const WIDTH = 480;
const HEIGHT = 200;
const PAD = { top: 12, right: 10, bottom: 26, left: 46 };

export type Attribution = "device" | "device_ambiguous" | "manual" | "manual_at_signup" | "device_auto" | "confirmed" | "guided" | "other";

export interface WeighIn {
  time: number;
  /** Kilograms, as stored; converted only for display. */
  weightKg: number | null;
  fatPercent: number | null;
  fatMassKg: number | null;
  fatFreeMassKg: number | null;
  muscleMassKg: number | null;
  hydrationKg: number | null;
  boneMassKg: number | null;
  heartRate: number | null;
  attribution: Attribution;
  model: string | null;
}

export interface PressureReading {
  time: number;
  systolic: number;
  diastolic: number;
  heartRate: number | null;
}

const toUnit = (kg: number, unit: WeightUnit) => (unit === "kg" ? kg : kg / KG_PER_LB);
const oneDecimal = (value: number) => (Math.round(value * 10) / 10).toFixed(1);
const mass = (kg: number | null, unit: WeightUnit) => (kg === null ? "–" : `${oneDecimal(toUnit(kg, unit))} ${unit}`);
const day = (time: number) => new Date(time).toISOString().slice(0, 10);

const ATTRIBUTION_NOTE: Partial<Record<Attribution, string>> = {
  device_ambiguous: "The scale was not sure this was you",
  manual: "Entered by hand",
  manual_at_signup: "Entered when the account was made",
};

function monthTicks(start: number, end: number): number[] {
  const ticks: number[] = [];
  const first = new Date(start);
  for (let d = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1); d <= end; ) {
    ticks.push(d);
    const next = new Date(d);
    d = Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 1);
  }
  return ticks;
}

/** A line over time with a y range fitted to the data, month ticks, and the points as dots. */
function TrendChart({
  id,
  title,
  unit,
  points,
  start,
  end,
}: {
  id: string;
  title: string;
  unit: string;
  points: { time: number; value: number; note?: string }[];
  start: number;
  end: number;
}) {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const values = points.map((p) => p.value);
  const low = Math.floor(Math.min(...values) - 1);
  const high = Math.ceil(Math.max(...values) + 1);
  const x = (t: number) => PAD.left + ((t - start) / (end - start)) * plotW;
  const y = (v: number) => PAD.top + plotH - ((v - low) / Math.max(high - low, 1)) * plotH;
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  const first = points[0]!;
  const latest = points.at(-1)!;
  const change = latest.value - first.value;
  const summary = `${title}: ${points.length} measurements from ${day(first.time)} to ${day(latest.time)}, from ${oneDecimal(first.value)} to ${oneDecimal(latest.value)} ${unit} (${change >= 0 ? "+" : ""}${oneDecimal(change)}).`;
  return (
    <figure class="chart trend" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        {title} <span class="muted">({unit})</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <line x1={PAD.left} y1={PAD.top + plotH} x2={WIDTH - PAD.right} y2={PAD.top + plotH} class="axis" />
        {[low, (low + high) / 2, high].map((v) => (
          <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end" class="tick">
            {oneDecimal(v)}
          </text>
        ))}
        {monthTicks(start, end).map((t) => (
          <text x={x(t)} y={HEIGHT - 6} text-anchor="middle" class="tick">
            {new Date(t).toLocaleString("en-US", { month: "short", timeZone: "UTC" })}
          </text>
        ))}
        <path d={path} class="line" />
        {points
          .filter((p) => p.note)
          .map((p) => (
            <circle cx={x(p.time)} cy={y(p.value)} r="4" class="flagged">
              <title>{`${day(p.time)}: ${oneDecimal(p.value)} ${unit} — ${p.note}`}</title>
            </circle>
          ))}
      </svg>
      <p class="trend-summary">
        Latest <strong>{oneDecimal(latest.value)}</strong> {unit} on {day(latest.time)};{" "}
        <span class="muted">
          {change >= 0 ? "+" : ""}
          {oneDecimal(change)} {unit} since {day(first.time)}
        </span>
      </p>
      {points.some((p) => p.note) ? <p class="hint">Circled: entered by hand, or the scale was not sure it was you (kept, and marked).</p> : null}
      <ChartNumbers
        columns={["Day", unit, "Note"]}
        rows={points
          .slice(-30)
          .reverse()
          .map((p) => [day(p.time), oneDecimal(p.value), p.note ?? ""])}
      />
    </figure>
  );
}

/** Each reading as a line from diastolic to systolic, against the 120/80 mmHg marks. */
function PressureChart({ readings, start, end }: { readings: PressureReading[]; start: number; end: number }) {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const low = Math.min(50, ...readings.map((r) => r.diastolic - 5));
  const high = Math.max(160, ...readings.map((r) => r.systolic + 5));
  const x = (t: number) => PAD.left + ((t - start) / (end - start)) * plotW;
  const y = (v: number) => PAD.top + plotH - ((v - low) / (high - low)) * plotH;
  const latest = readings.at(-1)!;
  const summary = `Blood pressure: ${readings.length} readings; latest ${latest.systolic}/${latest.diastolic} mmHg on ${day(latest.time)}.`;
  return (
    <figure class="chart pressure" aria-labelledby="chart-bp-title">
      <figcaption id="chart-bp-title">
        Blood pressure <span class="muted">(mmHg)</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        {[80, 120].map((v) => (
          <>
            <line x1={PAD.left} y1={y(v)} x2={WIDTH - PAD.right} y2={y(v)} class="reference" />
            <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end" class="tick">
              {v}
            </text>
          </>
        ))}
        {monthTicks(start, end).map((t) => (
          <text x={x(t)} y={HEIGHT - 6} text-anchor="middle" class="tick">
            {new Date(t).toLocaleString("en-US", { month: "short", timeZone: "UTC" })}
          </text>
        ))}
        {readings.map((r) => (
          <g>
            <title>{`${day(r.time)}: ${r.systolic}/${r.diastolic} mmHg${r.heartRate === null ? "" : `, pulse ${r.heartRate}`}`}</title>
            <line x1={x(r.time)} y1={y(r.systolic)} x2={x(r.time)} y2={y(r.diastolic)} class="range" />
            <circle cx={x(r.time)} cy={y(r.systolic)} r="4" class="systolic" />
            <circle cx={x(r.time)} cy={y(r.diastolic)} r="4" class="diastolic" />
          </g>
        ))}
      </svg>
      <p class="trend-summary">
        Latest{" "}
        <strong>
          {latest.systolic}/{latest.diastolic}
        </strong>{" "}
        mmHg on {day(latest.time)}
        {latest.heartRate === null ? "" : `, pulse ${latest.heartRate}`}
      </p>
      <ChartNumbers
        columns={["Day", "Systolic", "Diastolic", "Pulse"]}
        rows={[...readings].reverse().map((r) => [day(r.time), r.systolic, r.diastolic, r.heartRate ?? "–"])}
      />
    </figure>
  );
}

function UnitSwitch({ unit, csrfToken, back }: { unit: WeightUnit; csrfToken: string; back: string }) {
  return (
    <form method="post" action="/settings/preferences/weight-unit" class="unit-switch">
      <input type="hidden" name="_csrf" value={csrfToken} />
      <input type="hidden" name="back" value={back} />
      <span class="muted">Show weight in</span>
      {(["kg", "lb"] as const).map((choice) => (
        <button
          type="submit"
          name="unit"
          value={choice}
          class={choice === unit ? "btn btn-primary" : "btn btn-quiet"}
          aria-pressed={choice === unit ? "true" : "false"}
        >
          {choice}
        </button>
      ))}
    </form>
  );
}

/** The latest weigh-in that measured composition, beside the one about 30 days before it. */
function CompositionTable({ weighIns, unit }: { weighIns: WeighIn[]; unit: WeightUnit }) {
  const withComposition = weighIns.filter((w) => w.fatPercent !== null);
  const latest = withComposition.at(-1);
  if (!latest) return <p class="muted">No body-composition measurement yet: only weight.</p>;
  const before = [...withComposition].reverse().find((w) => w.time <= latest.time - 28 * DAY_MS) ?? null;
  const rows: [string, (w: WeighIn) => string][] = [
    ["Weight", (w) => mass(w.weightKg, unit)],
    ["Body fat", (w) => (w.fatPercent === null ? "–" : `${oneDecimal(w.fatPercent)} %`)],
    ["Fat mass", (w) => mass(w.fatMassKg, unit)],
    ["Fat-free mass", (w) => mass(w.fatFreeMassKg, unit)],
    ["Muscle", (w) => mass(w.muscleMassKg, unit)],
    ["Water", (w) => mass(w.hydrationKg, unit)],
    ["Bone", (w) => mass(w.boneMassKg, unit)],
    ["Pulse", (w) => (w.heartRate === null ? "–" : `${w.heartRate} beats/min`)],
  ];
  return (
    <table class="runs composition">
      <thead>
        <tr>
          <th scope="col">Body composition</th>
          <th scope="col">{day(latest.time)}</th>
          {before ? <th scope="col">{day(before.time)}</th> : null}
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, show]) => (
          <tr>
            <th scope="row">{label}</th>
            <td>{show(latest)}</td>
            {before ? <td class="muted">{show(before)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BodyCharts({
  weighIns,
  pressures,
  unit,
  now,
  csrfToken,
  back,
  sandboxControls,
}: {
  weighIns: WeighIn[];
  pressures: PressureReading[];
  unit: WeightUnit;
  now: number;
  csrfToken: string;
  back: string;
  /** What the development sandbox offers here (its scale); null for a real scale. */
  sandboxControls: Child;
}) {
  const weights = weighIns
    .filter((w): w is WeighIn & { weightKg: number } => w.weightKg !== null)
    .map((w) => ({ time: w.time, value: toUnit(w.weightKg, unit), ...(ATTRIBUTION_NOTE[w.attribution] ? { note: ATTRIBUTION_NOTE[w.attribution]! } : {}) }));
  const fat = weighIns.filter((w) => w.fatPercent !== null).map((w) => ({ time: w.time, value: w.fatPercent! }));
  const start = Math.min(now - 90 * DAY_MS, weighIns[0]?.time ?? now, pressures[0]?.time ?? now);
  return (
    <section class="body-detail" aria-labelledby="body-title">
      <div class="body-head">
        <h2 id="body-title">Weight and body composition</h2>
        <UnitSwitch unit={unit} csrfToken={csrfToken} back={back} />
      </div>
      {sandboxControls}
      {weights.length === 0 ? (
        <p class="muted">No weigh-ins synced yet. Step on the scale; it arrives within minutes.</p>
      ) : (
        <>
          <div class="charts wide">
            <TrendChart id="chart-weight" title="Weight" unit={unit} points={weights} start={start} end={now} />
            {fat.length > 1 ? <TrendChart id="chart-fat" title="Body fat" unit="%" points={fat} start={start} end={now} /> : null}
          </div>
          <CompositionTable weighIns={weighIns} unit={unit} />
        </>
      )}
      {pressures.length > 0 ? (
        <>
          <h2>Blood pressure</h2>
          <div class="charts wide">
            <PressureChart readings={pressures} start={Math.min(now - 90 * DAY_MS, pressures[0]!.time)} end={now} />
          </div>
        </>
      ) : null}
    </section>
  );
}
