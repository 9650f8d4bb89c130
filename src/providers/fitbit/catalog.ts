import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

const GOOGLE_HEALTH_SCOPE = "https://www.googleapis.com/auth/googlehealth";

/** The settings page's entry for this source. */
export const fitbitCatalog = {
  id: "fitbit",
  name: "Fitbit",
  vendor: "Google",
  type: "wearable",
  section: "devices",
  description:
    "Steps, heart rate, sleep, workouts and weight from Fitbit and Pixel Watch, through the Google Health API. Existing Fitbit connections must consent again with Google.",
  reads: ["Steps and activity", "Heart rate and resting heart rate", "Sleep", "Exercise sessions", "Weight"],
  scopes: [
    `${GOOGLE_HEALTH_SCOPE}.activity_and_fitness.readonly`,
    `${GOOGLE_HEALTH_SCOPE}.health_metrics_and_measurements.readonly`,
    `${GOOGLE_HEALTH_SCOPE}.sleep.readonly`,
  ],
  connectMethod: "oauth2",
  credentialVars: ["GOOGLE_HEALTH_CLIENT_ID", "GOOGLE_HEALTH_CLIENT_SECRET"],
  hasSandbox: true,
  mark: { letters: "Fb", color: "#00a0a6" },
  privacyNote: PRIVACY_DEFAULT,
} satisfies z.input<typeof CatalogEntry>;
