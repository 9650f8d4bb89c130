import { junctionEvents } from "../junction";
import type { ProviderAdapter } from "../types";
import { appleHealthCatalog } from "./catalog";

// Reached through Junction's mobile SDK on the person's phone; there is no web authorization to run here.
export const appleHealth: ProviderAdapter = {
  id: "apple-health",
  catalog: appleHealthCatalog,
  auth: { kind: "aggregator" },
  webhook: junctionEvents,
};
