import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const appleHealthCatalog = {
  id: "apple-health",
  name: "Apple Health",
  vendor: "Apple",
  type: "app",
  section: "devices",
  description: "HealthKit data from your iPhone, shared through the Wellness OS mobile app.",
  reads: ["Activity, workouts and sleep you allow in the Health app"],
  // HealthKit permissions are granted on the phone; there is no web OAuth scope.
  scopes: [],
  connectMethod: "aggregator",
  credentialVars: ["JUNCTION_API_KEY"],
  hasSandbox: true,
  mark: { letters: "AH", color: "#ff2d55" },
  privacyNote: PRIVACY_DEFAULT,
} satisfies z.input<typeof CatalogEntry>;
