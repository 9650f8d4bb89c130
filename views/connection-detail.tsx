import type { Child } from "hono/jsx";
import type { SyncRun } from "../src/db/schema";
import type { CardState } from "../src/domain/card-state";
import type { DailySummary } from "../src/domain/daily-summary";
import { provider } from "../src/providers/registry";
import { IntegrationCard, ModalLink, TimeAgo } from "./card";
import { BarChart } from "./charts";

const DAY_MS = 86_400_000;
const SHORT_DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/**
 * What started a sync, in words: "Backfill of the last 30 days" rather than `backfill`. A backfill runs as several
 * jobs, each one window of it; each row names the days its job covered.
 */
export function runReason(
  run: Pick<SyncRun, "trigger" | "windowStart" | "windowEnd">,
  vendor: string,
  backfillDays: number | null,
  /** The source pushes its history when asked (Garmin): the backfill run only asks, the data comes by push. */
  pushesHistory = false,
): string {
  const hasWindow = run.windowStart !== null && run.windowEnd !== null;
  const days = hasWindow ? Math.max(1, Math.round((run.windowEnd! - run.windowStart!) / DAY_MS)) : null;
  const span = hasWindow ? `${SHORT_DATE.format(run.windowStart!)} – ${SHORT_DATE.format(run.windowEnd! - 1)}` : null;
  switch (run.trigger) {
    case "backfill":
      return pushesHistory
        ? `Asked ${vendor} to send the last ${backfillDays ?? days ?? 30} days`
        : `Backfill of the last ${backfillDays ?? days ?? 30} days${span ? `: ${span}` : ""}`;
    case "connect":
      return "First sync after connecting";
    case "cron":
      return days !== null && days > 1 ? `Scheduled sync of the last ${days} days` : "Scheduled sync";
    case "manual":
      return "Sync you asked for";
    case "webhook":
      return `${vendor} said new data was ready`;
  }
}

const RUN_STATUS: Record<SyncRun["status"], string> = {
  queued: "Waiting",
  running: "Running",
  succeeded: "Done",
  partial: "Done, some items skipped",
  failed: "Failed",
};

/** The four daily charts for wearables: sleep score, readiness or recovery, steps, resting heart rate. */
export function WearableCharts({ readinessLabel, days }: { readinessLabel: string; days: DailySummary[] }) {
  const series = (pick: (d: DailySummary) => number | null) => days.map((d) => ({ label: d.date, value: pick(d) }));
  return (
    <>
      <h2>Last {days.length} days</h2>
      <div class="charts">
        <BarChart id="chart-sleep" title="Sleep score" unit="score" points={series((d) => d.sleepScore)} floor={100} />
        <BarChart id="chart-readiness" title={readinessLabel} unit="score" points={series((d) => d.readiness)} floor={100} />
        <BarChart id="chart-steps" title="Steps" unit="steps" points={series((d) => d.steps)} floor={1000} />
        <BarChart id="chart-rhr" title="Resting heart rate" unit="beats/min" points={series((d) => d.restingHeartRate)} style="line" />
      </div>
    </>
  );
}

export function ConnectionDetail({
  state,
  charts,
  runs,
  now,
  csrfToken,
  live,
}: {
  state: CardState;
  charts: Child;
  runs: SyncRun[];
  now: number;
  csrfToken: string;
  live?: Child;
}) {
  const { entry } = state;
  const disconnected = state.connection?.status === "disconnected";
  const spec = provider(entry.id).sync;
  const pushesHistory = spec?.requestBackfill !== undefined;
  return (
    <div class="detail">
      <p class="back">
        <a href="/settings">← All integrations</a>
      </p>
      <h1>{entry.name}</h1>
      <div class="detail-card">
        <IntegrationCard state={state} now={now} csrfToken={csrfToken} live={live} onDetail />
      </div>
      {charts}
      <h2>Recent syncs</h2>
      {runs.length === 0 ? (
        <p class="muted">No syncs yet.</p>
      ) : (
        <table class="runs">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">What</th>
              <th scope="col">Result</th>
              <th scope="col">Records</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr>
                <td>
                  <TimeAgo at={run.startedAt} now={now} />
                </td>
                <td>{runReason(run, entry.vendor, spec?.backfillDays ?? null, pushesHistory)}</td>
                <td>
                  {RUN_STATUS[run.status]}
                  {run.error ? <span class="reason"> — {run.error}</span> : null}
                </td>
                <td>
                  {pushesHistory && run.trigger === "backfill" ? (
                    <span class="muted">sent by {entry.vendor} separately</span>
                  ) : (
                    <>
                      {run.recordsUpserted}
                      {run.recordsSkipped ? ` (${run.recordsSkipped} skipped)` : ""}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Your data</h2>
      <p>
        {disconnected
          ? `${entry.name} is disconnected, and Wellness OS still keeps the data it synced before. Deleting removes all of it.`
          : `Deleting removes everything Wellness OS synced from ${entry.name}. The connection stays, and the next sync starts again from the last 30 days.`}
      </p>
      <ModalLink href={`/settings/delete-data/${entry.id}`} class="btn btn-destructive">
        Delete synced data
      </ModalLink>
    </div>
  );
}

export function DeleteDataModal({ state, inPage, csrfToken }: { state: CardState; inPage: boolean; csrfToken: string }) {
  const action = `/api/integrations/${state.entry.id}/data/delete`;
  return (
    <div class="modal-content">
      <h2 id="modal-title">Delete data synced from {state.entry.name}?</h2>
      <p>This removes every record Wellness OS stored from {state.entry.name}. It cannot be undone.</p>
      <form method="post" action={action} hx-post={action} hx-target="#modal-body" class="modal-actions">
        <input type="hidden" name="_csrf" value={csrfToken} />
        <button type="submit" class="btn btn-danger">
          Delete the data
        </button>
        {inPage ? (
          <a class="btn btn-quiet" href={`/settings/connections/${state.entry.id}`}>
            Cancel
          </a>
        ) : (
          <button type="button" class="btn btn-quiet" data-close-modal>
            Cancel
          </button>
        )}
      </form>
    </div>
  );
}
