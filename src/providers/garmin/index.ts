import type { ProviderAdapter } from "../types";
import { garminCatalog } from "./catalog";
import { garminAuth } from "./auth";
import { garminSync } from "./sync";
import { garminWebhook } from "./webhook";

export const garmin: ProviderAdapter = {
  id: "garmin",
  catalog: garminCatalog,
  auth: garminAuth,
  sync: garminSync,
  webhook: garminWebhook,
};
