import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const healthConnectCatalog = {
  id: "health-connect",
  name: "Google Health Connect",
  vendor: "Google",
  type: "app",
  section: "devices",
  description: "Health Connect data from your Android phone, shared through the Wellness OS mobile app.",
  reads: ["Activity, workouts and sleep you allow in Health Connect"],
  scopes: [],
  connectMethod: "aggregator",
  credentialVars: ["JUNCTION_API_KEY"],
  hasSandbox: true,
  mark: { letters: "HC", color: "#4285f4" },
  privacyNote: PRIVACY_DEFAULT,
} satisfies z.input<typeof CatalogEntry>;
