import type { RecordBody, RecordKind } from "./records";

/** The record kinds a health system's connection holds. */
export const CLINICAL_KINDS: readonly RecordKind[] = ["lab_result", "condition", "medication"];
/** Earlier than any record's time (conditions with onsets before 1970 have negative times; undated ones 0). */
export const EARLIEST = -8.64e15;

interface StoredClinical {
  kind: string;
  startTime: number;
  data: string;
  /** The health system the record came from, as the person knows it. */
  system: string;
}

export interface LabPoint {
  time: number;
  value: number;
}

export interface LabGroup {
  key: string;
  name: string;
  latest: RecordBody<"lab_result">;
  latestTime: number;
  /** Where the latest result came from (a test repeated at several systems is one group, one trend). */
  latestSystem: string;
  /** Numeric results in time order (for the trend chart); text results are not plotted. */
  points: LabPoint[];
  count: number;
}

export interface ConditionItem {
  body: RecordBody<"condition">;
  system: string;
  time: number;
  active: boolean;
}

export interface MedicationItem {
  body: RecordBody<"medication">;
  system: string;
  time: number;
  active: boolean;
}

export interface HealthRecordsView {
  labs: LabGroup[];
  conditions: ConditionItem[];
  medications: MedicationItem[];
}

const ACTIVE_CONDITION = new Set(["active", "recurrence", "relapse"]);
const ACTIVE_MEDICATION = new Set(["active", "on-hold"]);

function parse<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Active first, then newest first within each. */
const activeThenNewest = <T extends { active: boolean; time: number }>(a: T, b: T) => Number(b.active) - Number(a.active) || b.time - a.time;

/**
 * Pure: the person's stored health records (from one or several health systems) → what the records view shows. Labs are grouped by test (LOINC code,
 * else name), newest test first, each with its latest result and its numeric history; results entered in error
 * or cancelled are left out. Conditions and medications are listed active first.
 */
export function buildHealthRecords(rows: readonly StoredClinical[]): HealthRecordsView {
  const groups = new Map<string, LabGroup>();
  const conditions: ConditionItem[] = [];
  const medications: MedicationItem[] = [];
  for (const row of [...rows].sort((a, b) => a.startTime - b.startTime)) {
    if (row.kind === "lab_result") {
      const lab = parse<RecordBody<"lab_result">>(row.data);
      if (!lab || lab.status === "entered-in-error" || lab.status === "cancelled") continue;
      const key = lab.code?.system === "http://loinc.org" ? `loinc:${lab.code.code}` : `name:${lab.name.toLowerCase()}`;
      const group = groups.get(key) ?? { key, name: lab.name, latest: lab, latestTime: row.startTime, latestSystem: row.system, points: [], count: 0 };
      group.count++;
      if (row.startTime >= group.latestTime) {
        group.latest = lab;
        group.latestTime = row.startTime;
        group.latestSystem = row.system;
        group.name = lab.name;
      }
      if (lab.value && !lab.value.comparator) group.points.push({ time: row.startTime, value: lab.value.value });
      groups.set(key, group);
    } else if (row.kind === "condition") {
      const body = parse<RecordBody<"condition">>(row.data);
      if (!body || body.verification_status === "entered-in-error" || body.verification_status === "refuted") continue;
      conditions.push({ body, system: row.system, time: row.startTime, active: ACTIVE_CONDITION.has(body.clinical_status ?? "") });
    } else if (row.kind === "medication") {
      const body = parse<RecordBody<"medication">>(row.data);
      if (!body || body.status === "entered-in-error") continue;
      medications.push({ body, system: row.system, time: row.startTime, active: ACTIVE_MEDICATION.has(body.status) });
    }
  }
  return {
    labs: [...groups.values()].sort((a, b) => b.latestTime - a.latestTime || a.name.localeCompare(b.name)),
    conditions: conditions.sort(activeThenNewest),
    medications: medications.sort(activeThenNewest),
  };
}

export interface HealthRecordCounts {
  labs: number;
  conditions: number;
  medications: number;
}

export function countHealthRecords(rows: readonly { kind: string }[]): HealthRecordCounts {
  const count = (kind: string) => rows.filter((row) => row.kind === kind).length;
  return { labs: count("lab_result"), conditions: count("condition"), medications: count("medication") };
}
