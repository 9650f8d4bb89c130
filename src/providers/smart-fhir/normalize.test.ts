import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import { conditionExample, hemoglobin, labPage, medicationPage } from "./fixtures/search-pages";
import { normalizeFhir } from "./normalize";

describe("FHIR search pages → records (pure)", () => {
  it("turns a laboratory Observation into a lab result with LOINC, UCUM value, range and flag; skips the invalid one with a reason; ignores the OperationOutcome", () => {
    const { records, skipped } = normalizeFhir("lab_result", labPage);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: "lab_result",
      externalId: "Observation/cbc-hemoglobin",
      startTime: Date.UTC(2005, 6, 5),
      data: {
        code: { system: "http://loinc.org", code: "718-7", display: "Hemoglobin [Mass/volume] in Blood" },
        name: "Hemoglobin",
        value: { value: 7.2, unit: "g/dL" },
        reference_range: { low: { value: 13.2, unit: "g/dL" }, high: { value: 16.6, unit: "g/dL" } },
        flag: "low",
        effective: "2005-07-05",
        status: "final",
      },
      raw: hemoglobin,
    });
    expect(skipped).toEqual([{ externalId: "no-status", reason: expect.stringContaining("status") }]);
  });

  it("keeps the same external id for an amended result, so it replaces the earlier one", () => {
    const amended = { ...hemoglobin, status: "amended", valueQuantity: { ...hemoglobin.valueQuantity, value: 7.4 } };
    const [first] = normalizeFhir("lab_result", { resourceType: "Bundle", entry: [{ resource: hemoglobin }] }).records;
    const [second] = normalizeFhir("lab_result", { resourceType: "Bundle", entry: [{ resource: amended }] }).records;
    expect(second!.externalId).toBe(first!.externalId);
    expect(second!.data).toMatchObject({ status: "amended", value: { value: 7.4 } });
  });

  it("reads critical flags and text values", () => {
    const critical = { ...hemoglobin, id: "k", valueQuantity: undefined, valueString: "Positive", interpretation: [{ coding: [{ code: "HH" }] }] };
    const [record] = normalizeFhir("lab_result", { resourceType: "Bundle", entry: [{ resource: critical }] }).records;
    expect(record!.data).toMatchObject({ value_text: "Positive", flag: "critical_high" });
    expect(record!.data).not.toHaveProperty("value");
  });

  it("turns a Condition into SNOMED code, statuses, onset and abatement", () => {
    const { records } = normalizeFhir("condition", { resourceType: "Bundle", entry: [{ resource: conditionExample, search: { mode: "match" } }] });
    expect(records[0]).toMatchObject({
      externalId: "Condition/example",
      data: {
        code: { system: "http://snomed.info/sct", code: "442311008" },
        name: "Single liveborn, born in hospital",
        categories: ["problem-list-item"],
        clinical_status: "active",
        verification_status: "confirmed",
        onset: "2016-08-10",
        abatement: "2016-08-10",
      },
    });
    expect(records[0]!.data).toMatchObject({ codings: [{ code: "442311008" }, { system: "http://hl7.org/fhir/sid/icd-10-cm", code: "Z38.00" }] });
  });

  it("resolves a contained Medication and an included one, with RxNorm, dosage and requester", () => {
    const { records, skipped } = normalizeFhir("medication", medicationPage);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.externalId)).toEqual(["MedicationRequest/medrx0306", "MedicationRequest/medicationrequest-coded-oral-axid"]);
    expect(records[0]!.data).toMatchObject({
      code: { system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "1049640" },
      name: "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet",
      status: "completed",
      intent: "order",
      dosage_text: "one to two tablets every 4-6 hours as needed for rib pain",
      authored_on: "2015-01-15",
      requester: "Patrick Pump",
    });
    expect(records[1]!.data).toMatchObject({ code: { code: "582620" }, name: "Nizatidine 15 MG/ML Oral Solution [Axid]", status: "active" });
  });

  it("skips a request whose medication cannot be found, with a reason", () => {
    const orphan = { resourceType: "MedicationRequest", id: "m9", status: "active", intent: "order", medicationReference: { reference: "Medication/gone" } };
    const { records, skipped } = normalizeFhir("medication", { resourceType: "Bundle", entry: [{ resource: orphan }] });
    expect(records).toEqual([]);
    expect(skipped).toEqual([{ externalId: "MedicationRequest/m9", reason: expect.stringContaining("could not be found") }]);
  });

  it("rejects a body that is not a Bundle", () => {
    expect(() => normalizeFhir("condition", conditionExample)).toThrow(MalformedPayloadError);
  });
});
