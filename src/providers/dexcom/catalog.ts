import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const dexcomCatalog = {
  id: "dexcom",
  name: "Dexcom CGM",
  vendor: "Dexcom",
  type: "cgm",
  section: "devices",
  description: "Glucose readings every five minutes from your Dexcom G6, G7 or ONE+, plus calibrations and events.",
  reads: ["Glucose readings and trends", "Calibrations", "Logged carbs, insulin, exercise and health events", "Device info"],
  scopes: ["offline_access"],
  connectMethod: "oauth2",
  credentialVars: ["DEXCOM_CLIENT_ID", "DEXCOM_CLIENT_SECRET"],
  hasSandbox: true,
  mark: { letters: "Dx", color: "#58a618" },
  privacyNote:
    "Dexcom shares readings with a delay (about an hour in the US, up to three hours elsewhere); Wellness OS always shows the time of the latest reading. " +
    PRIVACY_DEFAULT,
} satisfies z.input<typeof CatalogEntry>;
