import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const withingsCatalog = {
  id: "withings",
  name: "Withings",
  vendor: "Withings",
  type: "scale",
  section: "devices",
  description: "Weight, body composition and blood pressure from your Withings scale and monitor.",
  reads: [
    "Weight",
    "Body composition: fat, muscle, water and bone",
    "Blood pressure and pulse",
    "Which device took each measurement, and whether it was entered by hand",
    "Your Withings user id (to match its notifications to you)",
  ],
  // user.metrics reads measures and subscribes to their notifications; user.info is what Withings' own
  // integration guide asks for alongside it.
  scopes: ["user.info", "user.metrics"],
  connectMethod: "oauth2",
  credentialVars: ["WITHINGS_CLIENT_ID", "WITHINGS_CLIENT_SECRET", "WITHINGS_WEBHOOK_SECRET"],
  hasSandbox: true,
  mark: { letters: "Wi", color: "#00a6a0" },
  privacyNote: PRIVACY_DEFAULT,
} satisfies z.input<typeof CatalogEntry>;
