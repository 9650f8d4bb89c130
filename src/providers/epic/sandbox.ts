import { type ProviderSandbox, sandboxApi } from "../../sandbox/types";
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

export const epicSandbox: ProviderSandbox = {
  source: "epic",
  hosts: ["fhir.epic.com"],
  tokenEndpoint: () => `${EPIC_OAUTH}/token`,
  accessTokenTtlSeconds: 3600,
  // SMART standalone launch returns the patient in context next to the tokens.
  tokenResponseExtras: (subject) => ({ patient: `e${subject.slice(4)}`, need_patient_banner: true }),
  api,
};
