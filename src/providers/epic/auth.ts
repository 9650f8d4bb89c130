import type { SmartOnFhirAuth } from "../types";
import { EPIC_DIRECTORY } from "./directory";

/** Epic's public sandbox, used when no health system is configured (development only). */
export const EPIC_SANDBOX_FHIR_BASE = "https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4";

export const epicAuth: SmartOnFhirAuth = {
  kind: "smart-on-fhir",
  fhirBaseUrl: (env) => env.EPIC_FHIR_BASE_URL || EPIC_SANDBOX_FHIR_BASE,
  directory: EPIC_DIRECTORY,
  credentials: (env) => (env.EPIC_CLIENT_ID ? { clientId: env.EPIC_CLIENT_ID, clientSecret: env.EPIC_CLIENT_SECRET || null } : null),
  // Epic grants refresh tokens only to apps registered for them; without one the person reconnects when it expires.
  requiresRefreshToken: false,
};
