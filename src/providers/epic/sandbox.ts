import { type ProviderSandbox, sandboxApi } from "../../sandbox/types";
import { addFhirSandboxRoutes } from "../smart-fhir/sandbox";
import { EPIC_SANDBOX_FHIR_BASE } from "./auth";

const EPIC_OAUTH = "https://fhir.epic.com/interconnect-fhir-oauth/oauth2";
const FHIR_PATH = new URL(EPIC_SANDBOX_FHIR_BASE).pathname;

const api = sandboxApi();

// SMART App Launch discovery, as Epic publishes it for its R4 endpoint.
api.get(`${FHIR_PATH}/.well-known/smart-configuration`, (c) =>
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

/** The patient a sandbox grant is scoped to (what the token response names as `patient`). */
const patientOf = (subject: string) => `e${subject.slice(4)}`;

// The patient's records: a FHIR R4 search API with the data a MyChart patient would see.
addFhirSandboxRoutes(api, FHIR_PATH, "epic", patientOf);

export const epicSandbox: ProviderSandbox = {
  source: "epic",
  hosts: ["fhir.epic.com"],
  tokenEndpoint: () => `${EPIC_OAUTH}/token`,
  accessTokenTtlSeconds: 3600,
  // SMART standalone launch returns the patient in context next to the tokens.
  tokenResponseExtras: (subject) => ({ patient: patientOf(subject), need_patient_banner: true }),
  api,
};
