import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const epicCatalog = {
  id: "epic",
  name: "Epic MyChart",
  vendor: "Epic",
  type: "ehr",
  section: "records",
  description: "Lab results, conditions and medications from each of your health systems: MyChart, or any patient portal that offers SMART on FHIR.",
  reads: ["Lab results", "Conditions (problem list)", "Medications"],
  // Asked per health system at connect time, in SMART v1 or v2 names as its configuration advertises
  // (src/providers/smart-fhir/scopes.ts); the person chooses what to share on the health system's own page.
  scopes: [],
  connectMethod: "smart-on-fhir",
  credentialVars: ["EPIC_CLIENT_ID", "EPIC_FHIR_BASE_URL"],
  hasSandbox: true,
  mark: { letters: "E", color: "#c8102e" },
  privacyNote: `Medical records are read-only: Wellness OS never writes to your chart. ${PRIVACY_DEFAULT}`,
} satisfies z.input<typeof CatalogEntry>;
