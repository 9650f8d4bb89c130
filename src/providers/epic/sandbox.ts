import { type ProviderSandbox, sandboxApi } from "../../sandbox/types";
import { addFhirSandboxRoutes } from "../smart-fhir/sandbox";
import type { HealthSystem } from "../smart-fhir/systems";
import { EPIC_SANDBOX_FHIR_BASE } from "./auth";

const EPIC_OAUTH = "https://fhir.epic.com/interconnect-fhir-oauth/oauth2";
/** SMART Health IT's public reference server: a second vendor's SMART R4 server, advertising SMART v2 scopes. */
const SMART_IT_FHIR_BASE = "https://launch.smarthealthit.org/v/r4/fhir";
const SMART_IT_OAUTH = "https://launch.smarthealthit.org/v/r4/auth";

const api = sandboxApi();

// SMART App Launch discovery, as Epic publishes it for its R4 endpoint.
api.get(`${new URL(EPIC_SANDBOX_FHIR_BASE).pathname}/.well-known/smart-configuration`, (c) =>
  c.json({
    authorization_endpoint: `${EPIC_OAUTH}/authorize`,
    token_endpoint: `${EPIC_OAUTH}/token`,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
    scopes_supported: ["openid", "fhirUser", "launch/patient", "offline_access", "patient/*.read"],
    response_types_supported: ["code"],
    code_challenge_methods_supported: ["S256"],
    capabilities: [
      "launch-standalone",
      "client-public",
      "client-confidential-symmetric",
      "context-standalone-patient",
      "permission-offline",
      "permission-patient",
    ],
  }),
);

// The same discovery as SMART Health IT's reference server publishes it: SMART 2, so scopes are asked in v2 form.
api.get(`${new URL(SMART_IT_FHIR_BASE).pathname}/.well-known/smart-configuration`, (c) =>
  c.json({
    issuer: "https://launch.smarthealthit.org/v/r4",
    authorization_endpoint: `${SMART_IT_OAUTH}/authorize`,
    token_endpoint: `${SMART_IT_OAUTH}/token`,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
    scopes_supported: ["openid", "fhirUser", "launch/patient", "offline_access", "patient/*.rs", "patient/*.read"],
    response_types_supported: ["code"],
    code_challenge_methods_supported: ["S256"],
    capabilities: [
      "launch-standalone",
      "client-public",
      "client-confidential-symmetric",
      "context-standalone-patient",
      "permission-offline",
      "permission-patient",
      "permission-v2",
    ],
  }),
);

/** The patient a sandbox grant is scoped to at each system (what the token response names as `patient`). */
const epicPatientOf = (subject: string) => `e${subject.slice(4)}`;
const smartItPatientOf = (subject: string) => `s${subject.slice(4)}`;

// Each system's records: a FHIR R4 search API with the data a patient portal would show (a different patient at
// each system, so the two systems' records differ as two hospitals' would).
addFhirSandboxRoutes(api, new URL(EPIC_SANDBOX_FHIR_BASE).pathname, "epic", epicPatientOf);
addFhirSandboxRoutes(api, new URL(SMART_IT_FHIR_BASE).pathname, "epic", smartItPatientOf);

const SYSTEMS: readonly HealthSystem[] = [
  { name: "Epic Sandbox Hospital", fhirBase: EPIC_SANDBOX_FHIR_BASE },
  { name: "SMART Sandbox Clinic", fhirBase: SMART_IT_FHIR_BASE },
];

export const epicSandbox: ProviderSandbox = {
  source: "epic",
  hosts: ["fhir.epic.com", "launch.smarthealthit.org"],
  tokenEndpoints: () => [`${EPIC_OAUTH}/token`, `${SMART_IT_OAUTH}/token`],
  healthSystems: SYSTEMS,
  accessTokenTtlSeconds: 3600,
  // SMART standalone launch returns the patient in context next to the tokens; which patient depends on the
  // system whose token endpoint answers.
  tokenResponseExtras: (subject, tokenUrl) => {
    const patient = tokenUrl?.startsWith(SMART_IT_OAUTH) ? smartItPatientOf(subject) : epicPatientOf(subject);
    return { patient, need_patient_banner: true };
  },
  api,
};
