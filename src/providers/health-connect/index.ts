import { junctionEvents } from "../junction";
import type { ProviderAdapter } from "../types";
import { healthConnectCatalog } from "./catalog";

// Reached through Junction's mobile SDK on the person's phone; there is no web authorization to run here.
export const healthConnect: ProviderAdapter = {
  id: "health-connect",
  catalog: healthConnectCatalog,
  auth: { kind: "aggregator" },
  webhook: junctionEvents,
};
