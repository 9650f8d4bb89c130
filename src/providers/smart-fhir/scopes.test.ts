import { describe, expect, it } from "vitest";
import { resourcesNotGranted, smartScopes } from "./scopes";

describe("SMART scopes", () => {
  it("asks in v1 names when the server advertises only v1 (Epic's published configuration)", () => {
    const scopes = smartScopes({ capabilities: ["launch-standalone", "permission-offline", "permission-patient"], scopes_supported: ["patient/*.read"] });
    expect(scopes).toEqual([
      "launch/patient",
      "offline_access",
      "openid",
      "fhirUser",
      "patient/Patient.read",
      "patient/Observation.read",
      "patient/Condition.read",
      "patient/MedicationRequest.read",
    ]);
  });

  it("asks in v2 names (.rs) when the server advertises permission-v2 or v2 scopes", () => {
    expect(smartScopes({ capabilities: ["permission-v2"] })).toContain("patient/Observation.rs");
    expect(smartScopes({ scopes_supported: ["patient/Condition.rs", "openid"] })).toContain("patient/MedicationRequest.rs");
    expect(smartScopes({})).toContain("patient/Condition.read");
  });

  it("finds the resources a partial grant left out, in v1, v2 and wildcard forms", () => {
    expect(resourcesNotGranted("launch/patient openid patient/Patient.read patient/Condition.read")).toEqual(["Observation", "MedicationRequest"]);
    expect(resourcesNotGranted("patient/Observation.rs?category=laboratory patient/Condition.cruds patient/MedicationRequest.r")).toEqual([
      "MedicationRequest",
    ]);
    expect(resourcesNotGranted("patient/*.read")).toEqual([]);
    // No scope in the token response: granted as asked (RFC 6749 §5.1).
    expect(resourcesNotGranted(null)).toEqual([]);
  });
});
