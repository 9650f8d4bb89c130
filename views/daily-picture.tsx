import { formatDuration } from "../src/days/bonus";
import type { DaySummary, Provenance } from "../src/days/picture";
import { DEFAULT_PRECEDENCE, METRIC_LABELS, METRICS, type Metric } from "../src/days/precedence";
import { catalogEntry } from "../src/domain/catalog";
import { SourceId } from "../src/domain/integration";

/**
 * "What Wellness OS sees": yesterday's daily picture, each metric with its value and the source it came from,
 * and the person's choice of source per metric (src/days/). The settings page holds only a slot that loads it
 * (the page itself stays one D1 query); without JavaScript the slot is a link to the same panel as a page.
 */

export function sourceName(source: string): string {
  const id = SourceId.safeParse(source);
  return id.success ? catalogEntry(id.data).name : source;
}

export function DailyPictureSlot() {
  return (
    <details class="section" id="section-days" open>
      <summary>
        <h2>What Wellness OS sees</h2>
      </summary>
      <div id="daily-picture" hx-get="/settings/days" hx-trigger="load" hx-swap="outerHTML">
        <p class="meta">
          <a href="/settings/days">Yesterday's picture and where each number comes from</a>
        </p>
      </div>
    </details>
  );
}

export interface DailyPictureView {
  day: DaySummary;
  /** Connected sources, and which of them can give each metric. */
  connected: string[];
  overrides: Partial<Record<Metric, string>>;
  timeZone: string;
  csrfToken: string;
  notice?: string | undefined;
  errors?: Partial<Record<Metric | "time_zone", string>> | undefined;
}

function valueText(day: DaySummary, metric: Metric): string | null {
  switch (metric) {
    case "sleep": {
      const sleep = day.sleep?.value;
      if (!sleep) return null;
      const extra = [
        sleep.efficiency_pct !== null ? `${Math.round(sleep.efficiency_pct)}% efficient` : null,
        sleep.score !== null ? `score ${sleep.score}` : null,
      ];
      return [formatDuration(sleep.duration_s), ...extra].filter(Boolean).join(", ");
    }
    case "readiness":
      return day.readiness ? `${Math.round(day.readiness.value.score)}` : null;
    case "activity": {
      const a = day.activity?.value;
      if (!a) return null;
      return [`${Math.round(a.steps).toLocaleString("en-US")} steps`, a.active_minutes !== null ? `${Math.round(a.active_minutes)} active min` : null]
        .filter(Boolean)
        .join(", ");
    }
    case "resting_heart_rate":
      return day.resting_heart_rate ? `${Math.round(day.resting_heart_rate.value.bpm)} bpm` : null;
    case "hrv":
      return day.hrv ? `${Math.round(day.hrv.value.rmssd_ms)} ms` : null;
    case "glucose":
      return day.glucose
        ? `${day.glucose.value.time_in_range_pct}% in range, mean ${day.glucose.value.mean_mgdl} mg/dL, GMI ${day.glucose.value.gmi_pct}%`
        : null;
    case "weight":
      return day.weight ? `${day.weight.value.kg.toFixed(1)} kg` : null;
  }
}

function provenanceOf(day: DaySummary, metric: Metric): Provenance | null {
  return day[metric]?.provenance ?? null;
}

function SourceNote({ provenance }: { provenance: Provenance }) {
  const notes = [
    provenance.chosen_by === "choice" ? "your choice" : null,
    provenance.also_from.length > 0 ? `also seen by ${provenance.also_from.map(sourceName).join(", ")}, counted once` : null,
    provenance.fell_back_from.length > 0 ? `${provenance.fell_back_from.map(sourceName).join(", ")} had nothing` : null,
  ].filter(Boolean);
  return (
    <>
      {sourceName(provenance.source)}
      {notes.length > 0 ? <span class="meta"> ({notes.join("; ")})</span> : null}
    </>
  );
}

/** The sources a person may pick for a metric: connected ones that can measure it. */
export function choicesFor(metric: Metric, connected: readonly string[]): string[] {
  return DEFAULT_PRECEDENCE[metric].filter((source) => connected.includes(source));
}

export function DailyPicturePanel(view: DailyPictureView) {
  const { day } = view;
  const shown = METRICS.filter((metric) => valueText(day, metric) !== null || choicesFor(metric, view.connected).length > 0);
  return (
    <div id="daily-picture" class="days">
      {view.notice ? (
        <p class="notice" role="status">
          {view.notice}
        </p>
      ) : null}
      <p class="meta">
        Yesterday, {day.date} ({day.time_zone}):{" "}
        {day.final ? "final, every source has reported; a new choice of source applies to the days still open" : "still open, sources may still add to it"}
      </p>
      {shown.length === 0 ? <p class="meta">Nothing yet: connect a wearable, scale or CGM and what it measured yesterday shows here.</p> : null}
      <table class="days-table">
        <tbody>
          {shown.map((metric) => {
            const text = valueText(day, metric);
            const provenance = provenanceOf(day, metric);
            return (
              <tr>
                <th scope="row">{METRIC_LABELS[metric]}</th>
                <td>{text ?? <span class="meta">nothing yet</span>}</td>
                <td>{provenance ? <SourceNote provenance={provenance} /> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {day.bonus.lines.length > 0 ? (
        <p class="days-bonus">
          <strong>
            Wearable bonus: +{day.bonus.points} of {day.bonus.cap}
          </strong>
        </p>
      ) : null}
      {day.bonus.lines.length > 0 ? (
        <ul class="days-lines">
          {day.bonus.lines.map((line) => (
            <li>{line.text}</li>
          ))}
        </ul>
      ) : null}
      <form method="post" action="/settings/days" hx-post="/settings/days" hx-target="#daily-picture" hx-swap="outerHTML" class="days-form">
        <input type="hidden" name="_csrf" value={view.csrfToken} />
        {METRICS.filter((metric) => choicesFor(metric, view.connected).length > 1 || view.overrides[metric]).map((metric) => {
          const choices = choicesFor(metric, view.connected);
          const error = view.errors?.[metric];
          return (
            <div class="field">
              <label for={`days-${metric}`}>{METRIC_LABELS[metric]} comes from</label>
              <select id={`days-${metric}`} name={metric} aria-invalid={error ? "true" : undefined}>
                <option value="">{metric === "activity" ? "Automatic (most steps)" : `Automatic (${sourceName(choices[0] ?? "none")})`}</option>
                {[...new Set([...choices, ...(view.overrides[metric] ? [view.overrides[metric]!] : [])])].map((source) => (
                  <option value={source} selected={view.overrides[metric] === source}>
                    {sourceName(source)}
                  </option>
                ))}
              </select>
              {error ? <p class="field-error">{error}</p> : null}
            </div>
          );
        })}
        <div class="field">
          <label for="days-time-zone">Time zone (days start at midnight here)</label>
          <input id="days-time-zone" name="time_zone" value={view.timeZone} autocomplete="off" aria-invalid={view.errors?.time_zone ? "true" : undefined} />
          {view.errors?.time_zone ? <p class="field-error">{view.errors.time_zone}</p> : null}
        </div>
        <button type="submit" class="btn btn-primary">
          Save
        </button>
      </form>
    </div>
  );
}
