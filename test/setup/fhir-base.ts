/** The loopback health system's public FHIR base in tests: outboundService routes it to the FHIR peer. */
export const FHIR_PEER_PUBLIC_BASE = "https://fhir.loopback-health.test/R4";
/** The patient the health system's test OAuth server names in its token responses. */
export const FHIR_PEER_PATIENT = "peer-patient-1";
