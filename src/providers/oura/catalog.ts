import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const ouraCatalog = {
  id: "oura",
  name: "Oura Ring",
  vendor: "Oura",
  type: "wearable",
  section: "devices",
  description: "Sleep, readiness, activity and heart rate from your Oura Ring.",
  reads: ["Sleep sessions and daily sleep score", "Readiness score", "Daily activity and steps", "Heart rate"],
  scopes: ["daily", "heartrate"],
  connectMethod: "oauth2",
  credentialVars: ["OURA_CLIENT_ID", "OURA_CLIENT_SECRET"],
  hasSandbox: true,
  mark: { letters: "O", color: "#1f2937" },
  privacyNote: PRIVACY_DEFAULT,
} satisfies z.input<typeof CatalogEntry>;
