import type { ProviderAdapter } from "../types";
import { fitbitAuth } from "./auth";
import { fitbitSync } from "./sync";
import { fitbitWebhook } from "./webhook";

export const fitbit: ProviderAdapter = {
  id: "fitbit",
  auth: fitbitAuth,
  sync: fitbitSync,
  webhook: fitbitWebhook,
};
