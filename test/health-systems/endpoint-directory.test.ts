import { describe, expect, it } from "vitest";
import { directoryFromBundle } from "../../scripts/endpoint-directory.ts";
// Shapes as published: Epic's R4 endpoint list (https://open.epic.com/Endpoints/R4; one FHIR R4 Endpoint per
// organization, the name on the Endpoint, https://hl7.org/fhir/R4/endpoint.html; names and the first address are
// real entries of the list) and a SMART User-access Brands bundle (the example layout of
// https://hl7.org/fhir/smart-app-launch/brands.html: an Organization brand referencing its Endpoint).
import epicBundle from "./fixtures/epic-r4-endpoints-bundle.json";
import brandsBundle from "./fixtures/user-access-brands-bundle.json";

describe("the directory refresh script's reading of a published endpoint bundle", () => {
  it("keeps Epic's active https endpoints, named as listed, normalized, once each", () => {
    expect(directoryFromBundle(epicBundle)).toEqual([
      { id: "e476", name: "AACI", fhirBase: "https://webprd.ochin.org/prd-fhir/MyChartAACI/api/FHIR/R4" },
      { id: "e619", name: "Cleveland Clinic", fhirBase: "https://fhir.clevelandclinic.org/api/FHIR/R4" },
    ]);
  });

  it("names a brand's endpoint by its Organization", () => {
    expect(directoryFromBundle(brandsBundle)).toEqual([
      { id: "example-health-r4", name: "Example Health System", fhirBase: "https://fhir.example-health.org/r4" },
    ]);
  });

  it("refuses what is not a Bundle rather than writing an empty directory", () => {
    expect(() => directoryFromBundle({ resourceType: "OperationOutcome" })).toThrow("not a FHIR Bundle");
    expect(() => directoryFromBundle(null)).toThrow("not a FHIR Bundle");
  });
});
