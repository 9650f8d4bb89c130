import { smartFhirSync } from "../smart-fhir/sync";
import { epicAuth } from "./auth";

/** Epic is one SMART on FHIR R4 server among others: nothing in its pull is Epic-only. */
export const epicSync = smartFhirSync((env) => epicAuth.fhirBaseUrl(env));
