import type { HealthSystem } from "../smart-fhir/systems";
import published from "./r4-endpoints.json";

/**
 * Epic's published list of patient-access FHIR R4 endpoints, one per organization (Epic on FHIR's "Endpoints"
 * page), as shipped in r4-endpoints.json and refreshed by `npm run refresh:health-systems`. Bases are normalized
 * there, as normalizeFhirBase would, so a directory pick and a typed address name the same connection.
 */
export const EPIC_DIRECTORY: readonly HealthSystem[] = published.endpoints.map(({ name, fhirBase }) => ({ name, fhirBase }));
