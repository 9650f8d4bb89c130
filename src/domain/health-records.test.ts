import { describe, expect, it } from "vitest";
import { buildHealthRecords, countHealthRecords } from "./health-records";

const lab = (time: number, value: number, extra: Record<string, unknown> = {}) => ({
  kind: "lab_result",
  startTime: time,
  data: JSON.stringify({
    code: { system: "http://loinc.org", code: "4548-4" },
    name: "Hemoglobin A1c",
    value: { value, unit: "%" },
    effective: new Date(time).toISOString(),
    status: "final",
    ...extra,
  }),
});

describe("the records view model (pure)", () => {
  it("groups a test's results under its LOINC code with the latest as its value and the numeric history in time order", () => {
    const view = buildHealthRecords([lab(3000, 6.5), lab(1000, 7.9), lab(2000, 7.1), lab(2500, 0, { status: "entered-in-error" })]);
    expect(view.labs).toHaveLength(1);
    expect(view.labs[0]).toMatchObject({ name: "Hemoglobin A1c", count: 3, latestTime: 3000, latest: { value: { value: 6.5 } } });
    expect(view.labs[0]!.points.map((p) => p.value)).toEqual([7.9, 7.1, 6.5]);
  });

  it("puts active conditions and medications first, newest first within each", () => {
    const condition = (t: number, status: string, name: string) => ({
      kind: "condition",
      startTime: t,
      data: JSON.stringify({ name, codings: [], categories: [], clinical_status: status }),
    });
    const medication = (t: number, status: string, name: string) => ({
      kind: "medication",
      startTime: t,
      data: JSON.stringify({ name, status, intent: "order" }),
    });
    const view = buildHealthRecords([
      condition(1, "resolved", "old"),
      condition(5, "resolved", "recent resolved"),
      condition(2, "active", "ongoing"),
      medication(9, "stopped", "stopped"),
      medication(3, "active", "taking"),
    ]);
    expect(view.conditions.map((c) => c.body.name)).toEqual(["ongoing", "recent resolved", "old"]);
    expect(view.medications.map((m) => m.body.name)).toEqual(["taking", "stopped"]);
    expect(countHealthRecords([lab(1, 1), { kind: "condition" }, { kind: "medication" }, { kind: "medication" }])).toEqual({
      labs: 1,
      conditions: 1,
      medications: 2,
    });
  });
});
