import { type ProviderSandbox, sandboxApi } from "../../sandbox/types";
import { addFhirSandboxRoutes } from "../smart-fhir/sandbox";
import type { HealthSystem } from "../smart-fhir/systems";
import { EPIC_SANDBOX_FHIR_BASE } from "./auth";

const EPIC_OAUTH = "https://fhir.epic.com/interconnect-fhir-oauth/oauth2";
/** SMART Health IT's public reference server: a second vendor's SMART R4 server, advertising SMART v2 scopes. */
const SMART_IT_FHIR_BASE = "https://launch.smarthealthit.org/v/r4/fhir";
const SMART_IT_OAUTH = "https://launch.smarthealthit.org/v/r4/auth";

const api = sandboxApi();

/** What a standalone patient launch reads of SMART discovery; the two systems differ in version and scope names. */
const STANDALONE_CAPABILITIES = [
  "launch-standalone",
  "client-public",
  "client-confidential-symmetric",
  "context-standalone-patient",
  "permission-offline",
  "permission-patient",
];

function smartConfiguration(oauth: string, extra: { scopes: string[]; capabilities: string[]; issuer?: string }) {
  return {
    ...(extra.issuer ? { issuer: extra.issuer } : {}),
    authorization_endpoint: `${oauth}/authorize`,
    token_endpoint: `${oauth}/token`,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
    scopes_supported: ["openid", "fhirUser", "launch/patient", "offline_access", ...extra.scopes],
    response_types_supported: ["code"],
    code_challenge_methods_supported: ["S256"],
    capabilities: [...STANDALONE_CAPABILITIES, ...extra.capabilities],
  };
}

// SMART App Launch discovery, as Epic publishes it for its R4 endpoint (SMART v1 scope names).
api.get(`${new URL(EPIC_SANDBOX_FHIR_BASE).pathname}/.well-known/smart-configuration`, (c) =>
  c.json(smartConfiguration(EPIC_OAUTH, { scopes: ["patient/*.read"], capabilities: [] })),
);

// As SMART Health IT's reference server publishes it: SMART 2, so scopes are asked in v2 form.
api.get(`${new URL(SMART_IT_FHIR_BASE).pathname}/.well-known/smart-configuration`, (c) =>
  c.json(
    smartConfiguration(SMART_IT_OAUTH, {
      issuer: "https://launch.smarthealthit.org/v/r4",
      scopes: ["patient/*.rs", "patient/*.read"],
      capabilities: ["permission-v2"],
    }),
  ),
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
