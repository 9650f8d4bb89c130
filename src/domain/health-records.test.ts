import { describe, expect, it } from "vitest";
import { buildHealthRecords, countHealthRecords } from "./health-records";

const lab = (time: number, value: number, extra: Record<string, unknown> = {}, system = "Mercy Hospital") => ({
  kind: "lab_result",
  startTime: time,
  system,
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

  it("makes one trend of a test repeated at two health systems, naming the system of the latest result", () => {
    const view = buildHealthRecords([lab(1000, 7.9, {}, "Mercy Hospital"), lab(2000, 7.1, {}, "City Clinic"), lab(3000, 6.8, {}, "Mercy Hospital")]);
    expect(view.labs).toHaveLength(1);
    expect(view.labs[0]).toMatchObject({ count: 3, latestSystem: "Mercy Hospital", latest: { value: { value: 6.8 } } });
    expect(view.labs[0]!.points.map((p) => p.value)).toEqual([7.9, 7.1, 6.8]);
    const older = buildHealthRecords([lab(1000, 7.9, {}, "Mercy Hospital"), lab(4000, 6.1, {}, "City Clinic")]);
    expect(older.labs[0]!.latestSystem).toBe("City Clinic");
  });

  it("puts active conditions and medications first, newest first within each", () => {
    const condition = (t: number, status: string, name: string) => ({
      kind: "condition",
      startTime: t,
      system: "Mercy Hospital",
      data: JSON.stringify({ name, codings: [], categories: [], clinical_status: status }),
    });
    const medication = (t: number, status: string, name: string) => ({
      kind: "medication",
      startTime: t,
      system: "Mercy Hospital",
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
