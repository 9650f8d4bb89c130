import type { TestProject } from "vitest/node";
import { FHIR_PEER_PATIENT } from "./fhir-base.ts";
import { startFhirPeer } from "./fhir-peer.ts";
import { startOAuthPeer } from "./oauth-peer.ts";
import type { Peers } from "./peers.ts";

declare module "vitest" {
  export interface ProvidedContext {
    peers: Peers;
  }
}

// Runs in Node before the workerd tests: starts the real peers the Worker under test talks to on loopback.
export default async function setup(project: TestProject) {
  const oauth = await startOAuthPeer();
  const fhirOAuth = await startOAuthPeer({ tokenExtras: { patient: FHIR_PEER_PATIENT } });
  const fhir = await startFhirPeer(fhirOAuth.origin);
  project.provide("peers", { oauth: oauth.origin, fhirOAuth: fhirOAuth.origin, fhir: fhir.origin });
  return async () => {
    await fhir.stop();
    await fhirOAuth.stop();
    await oauth.stop();
  };
}
