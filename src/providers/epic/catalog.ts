import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const epicCatalog = {
  id: "epic",
  name: "Epic MyChart",
  vendor: "Epic",
  type: "ehr",
  section: "records",
  description: "Lab results, conditions and medications from your health system's MyChart, via SMART on FHIR.",
  reads: ["Lab results", "Conditions (problem list)", "Medications"],
  scopes: [
    "openid",
    "fhirUser",
    "launch/patient",
    "offline_access",
    "patient/Patient.read",
    "patient/Observation.read",
    "patient/Condition.read",
    "patient/MedicationRequest.read",
  ],
  connectMethod: "smart-on-fhir",
  credentialVars: ["EPIC_CLIENT_ID", "EPIC_FHIR_BASE_URL"],
  hasSandbox: true,
  mark: { letters: "E", color: "#c8102e" },
  privacyNote: `Medical records are read-only: Wellness OS never writes to your chart. ${PRIVACY_DEFAULT}`,
} satisfies z.input<typeof CatalogEntry>;
