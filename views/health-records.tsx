import type { HealthRecordCounts, HealthRecordsView, LabGroup } from "../src/domain/health-records";
import type { RecordBody } from "../src/domain/records";

const FLAG_WORDS: Record<NonNullable<RecordBody<"lab_result">["flag"]>, string> = {
  normal: "Normal",
  high: "High",
  low: "Low",
  abnormal: "Abnormal",
  critical_high: "Critically high",
  critical_low: "Critically low",
  critical: "Critical",
};

const MEDICATION_STATUS: Record<RecordBody<"medication">["status"], string> = {
  active: "Taking",
  "on-hold": "On hold",
  cancelled: "Cancelled",
  completed: "Finished",
  "entered-in-error": "Entered in error",
  stopped: "Stopped",
  draft: "Draft",
  unknown: "Status not given",
};

const CONDITION_STATUS: Record<string, string> = {
  active: "Active",
  recurrence: "Active (came back)",
  relapse: "Active (relapse)",
  inactive: "Inactive",
  remission: "In remission",
  resolved: "Resolved",
};

const DATE = new Intl.DateTimeFormat("en", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });

/** A FHIR date or dateTime in words ("Mar 5, 2024"); a year or year-month as given. */
function dateWords(value: string | undefined): string | null {
  if (!value) return null;
  if (/^\d{4}(-\d{2})?$/.test(value)) return value;
  const time = Date.parse(value);
  return Number.isFinite(time) ? DATE.format(time) : value;
}

function quantityText(q: { value: number; unit?: string | undefined; comparator?: string | undefined } | undefined): string {
  if (!q) return "";
  return `${q.comparator ?? ""}${q.value}${q.unit && q.unit !== "1" ? ` ${q.unit}` : ""}`;
}

function rangeText(range: RecordBody<"lab_result">["reference_range"]): string | null {
  if (!range) return null;
  if (range.low && range.high) return `${range.low.value}–${quantityText(range.high)}`;
  if (range.high) return `up to ${quantityText(range.high)}`;
  if (range.low) return `${quantityText(range.low)} or more`;
  return range.text ?? null;
}

const W = 240;
const H = 56;

/** The numeric history of one test: a line over time, the reference range as a band behind it. */
function TrendChart({ group }: { group: LabGroup }) {
  const points = group.points;
  const range = group.latest.reference_range;
  const values = [...points.map((p) => p.value), ...(range?.low ? [range.low.value] : []), ...(range?.high ? [range.high.value] : [])];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const t0 = points[0]!.time;
  const t1 = points.at(-1)!.time;
  const x = (t: number) => (t1 === t0 ? W / 2 : ((t - t0) / (t1 - t0)) * (W - 8) + 4);
  const y = (v: number) => H - 4 - ((v - min) / span) * (H - 8);
  const from = new Date(t0).getUTCFullYear();
  const to = new Date(t1).getUTCFullYear();
  const label = `${group.name}: ${points.length} results from ${from} to ${to}, from ${points[0]!.value} to ${points.at(-1)!.value}${group.latest.value?.unit ? ` ${group.latest.value.unit}` : ""}`;
  return (
    <svg class="lab-trend" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={label}>
      <title>{label}</title>
      {range?.low && range.high ? (
        <rect class="lab-range" x="0" width={W} y={y(range.high.value)} height={Math.max(1, y(range.low.value) - y(range.high.value))} />
      ) : null}
      <polyline class="lab-line" fill="none" points={points.map((p) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ")} />
      {points.map((p) => (
        <circle class="lab-dot" cx={x(p.time).toFixed(1)} cy={y(p.value).toFixed(1)} r="2" />
      ))}
    </svg>
  );
}

function LabRow({ group }: { group: LabGroup }) {
  const lab = group.latest;
  const flag = lab.flag && lab.flag !== "normal" ? lab.flag : null;
  const value = lab.value ? quantityText(lab.value) : (lab.value_text ?? "No value given");
  const range = rangeText(lab.reference_range);
  return (
    <li class="lab">
      <div class="lab-head">
        <h4>{group.name}</h4>
        <p class="lab-value">
          <strong>{value}</strong>
          {flag ? <span class={`lab-flag lab-flag-${flag.startsWith("critical") ? "critical" : "out"}`}> {FLAG_WORDS[flag]}</span> : null}
          {lab.status === "amended" || lab.status === "corrected" ? <span class="muted"> (corrected by the lab)</span> : null}
        </p>
        <p class="muted">
          {range ? `Normal range ${range} · ` : ""}
          {dateWords(lab.effective)} · {group.latestSystem}
          {group.count > 1 ? ` · ${group.count} results` : ""}
        </p>
      </div>
      {group.points.length >= 3 ? <TrendChart group={group} /> : null}
    </li>
  );
}

/** What the person did not share, or the health system did not send, in words. */
function NotShared({ words, system }: { words: string; system: string }) {
  return (
    <p class="notice notice-partial" role="status">
      You did not share your {words} from {system}, so they are not here. To add them, reconnect and allow {words}.
    </p>
  );
}

/** What one health system's connection says about its records: what was not shared, and its last error. */
export interface SystemNotice {
  system: string;
  notShared: string | null;
  error: string | null;
}

const listWords = (names: readonly string[]) => (names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`);

/**
 * The person's health records from all their health systems: labs grouped by test with their latest value, flag,
 * range and trend; conditions and medications, active first; each with its system and its date.
 */
export function HealthRecords({ view, notices }: { view: HealthRecordsView; notices: readonly SystemNotice[] }) {
  const empty = view.labs.length === 0 && view.conditions.length === 0 && view.medications.length === 0;
  const systems = notices.map((notice) => notice.system);
  return (
    <section class="health-records" aria-labelledby="records-title">
      <h2 id="records-title">Your health records</h2>
      {notices.map((notice) => (notice.notShared ? <NotShared words={notice.notShared} system={notice.system} /> : null))}
      {notices.map((notice) =>
        notice.error ? (
          <p class="notice notice-error" role="alert">
            {notices.length > 1 ? `${notice.system}: ` : ""}
            {notice.error}
          </p>
        ) : null,
      )}
      {empty ? (
        <p class="muted">
          No records from {listWords(systems) || "your health system"} yet. The first pull reads your whole history; this page fills as it arrives.
        </p>
      ) : (
        <>
          <h3>Lab results</h3>
          {view.labs.length === 0 ? (
            <p class="muted">No lab results.</p>
          ) : (
            <ul class="labs">
              {view.labs.map((group) => (
                <LabRow group={group} />
              ))}
            </ul>
          )}
          <h3>Conditions</h3>
          {view.conditions.length === 0 ? (
            <p class="muted">No conditions.</p>
          ) : (
            <ul class="clinical-list">
              {view.conditions.map(({ body, active, system }) => (
                <li class={active ? "clinical-active" : "clinical-past"}>
                  <strong>{body.name}</strong>
                  <span class="muted">
                    {" "}
                    · {CONDITION_STATUS[body.clinical_status ?? ""] ?? "Status not given"}
                    {body.onset ? ` · since ${dateWords(body.onset)}` : ""}
                    {body.abatement ? ` · ended ${dateWords(body.abatement)}` : ""} · {system}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3>Medications</h3>
          {view.medications.length === 0 ? (
            <p class="muted">No medications.</p>
          ) : (
            <ul class="clinical-list">
              {view.medications.map(({ body, active, system }) => (
                <li class={active ? "clinical-active" : "clinical-past"}>
                  <strong>{body.name}</strong>
                  <span class="muted">
                    {" "}
                    · {MEDICATION_STATUS[body.status]}
                    {body.authored_on ? ` · prescribed ${dateWords(body.authored_on)}` : ""}
                    {body.requester ? ` by ${body.requester}` : ""} · {system}
                  </span>
                  {body.dosage_text ? <p class="dosage">{body.dosage_text}</p> : null}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** The Health Records card's line: what the connection holds. */
export function HealthRecordsSummary({ counts, notShared }: { counts: HealthRecordCounts; notShared: string | null }) {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return (
    <div class="records-summary">
      <p>
        {n(counts.labs, "lab result", "lab results")} · {n(counts.conditions, "condition", "conditions")} · {n(counts.medications, "medication", "medications")}
      </p>
      {notShared ? <p class="reason">Not shared: {notShared}.</p> : null}
    </div>
  );
}
