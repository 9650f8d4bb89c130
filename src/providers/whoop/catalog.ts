import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const whoopCatalog = {
  id: "whoop",
  name: "WHOOP",
  vendor: "WHOOP",
  type: "wearable",
  section: "devices",
  description: "Recovery, strain, sleep and workouts from your WHOOP strap.",
  reads: [
    "Recovery, HRV and resting heart rate",
    "Daily strain (cycles)",
    "Sleep",
    "Workouts",
    "Body measurements",
    "Your WHOOP member id (to match its notifications to you)",
  ],
  scopes: ["read:recovery", "read:cycles", "read:sleep", "read:workout", "read:body_measurement", "read:profile", "offline"],
  connectMethod: "oauth2",
  credentialVars: ["WHOOP_CLIENT_ID", "WHOOP_CLIENT_SECRET"],
  hasSandbox: true,
  mark: { letters: "W", color: "#111111" },
  privacyNote: PRIVACY_DEFAULT,
  readinessLabel: "Recovery",
} satisfies z.input<typeof CatalogEntry>;
