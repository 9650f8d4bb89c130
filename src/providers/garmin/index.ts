import type { ProviderAdapter } from "../types";
import { garminAuth } from "./auth";
import { garminCatalog } from "./catalog";
import { garminSync } from "./sync";
import { garminWebhook } from "./webhook";

export const garmin: ProviderAdapter = {
  id: "garmin",
  catalog: garminCatalog,
  auth: garminAuth,
  sync: garminSync,
  webhook: garminWebhook,
};
