import type { ProviderAdapter } from "../types";
import { garminAuth } from "./auth";
import { garminSync } from "./sync";
import { garminWebhook } from "./webhook";

export const garmin: ProviderAdapter = {
  id: "garmin",
  auth: garminAuth,
  sync: garminSync,
  webhook: garminWebhook,
};
