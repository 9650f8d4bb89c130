import type { ProviderAdapter } from "../types";
import { fitbitAuth } from "./auth";
import { fitbitCatalog } from "./catalog";
import { fitbitSync } from "./sync";
import { fitbitWebhook } from "./webhook";

export const fitbit: ProviderAdapter = {
  id: "fitbit",
  catalog: fitbitCatalog,
  auth: fitbitAuth,
  sync: fitbitSync,
  webhook: fitbitWebhook,
};
