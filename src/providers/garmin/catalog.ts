import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const garminCatalog = {
  id: "garmin",
  name: "Garmin",
  vendor: "Garmin",
  type: "wearable",
  section: "devices",
  description: "Daily summaries, sleep and all-day heart rate that Garmin Connect pushes as your watch syncs.",
  reads: ["Daily summaries (steps, energy, resting heart rate)", "Sleep", "15-minute activity epochs"],
  // Garmin grants permissions per app, chosen by the person on Garmin Connect, not by OAuth scope.
  scopes: [],
  connectMethod: "oauth2",
  credentialVars: ["GARMIN_CLIENT_ID", "GARMIN_CLIENT_SECRET"],
  hasSandbox: true,
  mark: { letters: "G", color: "#007cc3" },
  privacyNote: PRIVACY_DEFAULT,
} satisfies z.input<typeof CatalogEntry>;
