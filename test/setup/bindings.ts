// Deterministic, obviously-fake values for the secrets the Worker needs in tests. Never real credentials.
export const TEST_BINDINGS = {
  ENVIRONMENT: "development",
  PUBLIC_BASE_URL: "http://localhost:8787",
  SESSION_SECRET: "test-session-secret-not-a-real-secret-000000",
  TOKEN_ENCRYPTION_KEY: "test2:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
  TOKEN_ENCRYPTION_KEYS_PREVIOUS: "test1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=",
  SERVICE_API_TOKEN: "test-service-token-not-a-real-secret",
  // Junction's signing secret decides no source's mode; set so the development phone's webhooks verify.
  JUNCTION_WEBHOOK_SECRET: `whsec_${btoa("test-junction-webhook")}`,
  // Blank, whatever a developer's .dev.vars holds, so every test starts from "sandbox unless a test says otherwise".
  ...Object.fromEntries(
    [
      "CF_ACCESS_TEAM_DOMAIN",
      "CF_ACCESS_AUD",
      "OURA_CLIENT_ID",
      "OURA_CLIENT_SECRET",
      "WHOOP_CLIENT_ID",
      "WHOOP_CLIENT_SECRET",
      "GOOGLE_HEALTH_CLIENT_ID",
      "GOOGLE_HEALTH_CLIENT_SECRET",
      "GOOGLE_HEALTH_WEBHOOK_SECRET",
      "GARMIN_CLIENT_ID",
      "GARMIN_CLIENT_SECRET",
      "GARMIN_WEBHOOK_SECRET",
      "WITHINGS_CLIENT_ID",
      "WITHINGS_CLIENT_SECRET",
      "WITHINGS_WEBHOOK_SECRET",
      "DEXCOM_CLIENT_ID",
      "DEXCOM_CLIENT_SECRET",
      "EPIC_CLIENT_ID",
      "EPIC_CLIENT_SECRET",
      "EPIC_FHIR_BASE_URL",
      "GMAIL_CLIENT_ID",
      "GMAIL_CLIENT_SECRET",
      "JUNCTION_API_KEY",
      "JUNCTION_REGION",
    ].map((name) => [name, ""]),
  ),
} as const;

/**
 * Test-only client credentials for the providers the `live` project exercises against the OAuth peer. The
 * provider endpoints stay the real ones in code; outboundService routes them to the peer.
 */
export const LIVE_PROVIDER_BINDINGS = {
  OURA_CLIENT_ID: "oura-test-client",
  OURA_CLIENT_SECRET: "test-only-oura",
  WHOOP_CLIENT_ID: "whoop-test-client",
  WHOOP_CLIENT_SECRET: "test-only-whoop",
  WITHINGS_CLIENT_ID: "withings-test-client",
  WITHINGS_CLIENT_SECRET: "test-only-withings",
  WITHINGS_WEBHOOK_SECRET: "withings-path-key",
  GOOGLE_HEALTH_CLIENT_ID: "google-health-test-client",
  GOOGLE_HEALTH_CLIENT_SECRET: "test-only-google",
  EPIC_CLIENT_ID: "epic-test-public-client",
  EPIC_FHIR_BASE_URL: "https://fhir.health-system.test/api/FHIR/R4",
} as const;
