/**
 * The loopback peers the global setup starts, handed to the Worker as a JSON binding (hence a type alias, not
 * an interface).
 */
export type Peers = {
  /** Origin of the OAuth peer (oauth2-mock-server behind a fault-injecting front). */
  oauth: string;
  /** A health system's OAuth server (its own oauth2-mock-server, so its faults never meet the other tests'). */
  fhirOAuth: string;
  /** The loopback FHIR R4 server (Medplum's router), reached at FHIR_PEER_PUBLIC_BASE through outboundService. */
  fhir: string;
};
