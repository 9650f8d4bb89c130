import type { ProviderAdapter } from "../types";
import { fitbitCatalog } from "./catalog";
import { fitbitAuth } from "./auth";
import { fitbitSync } from "./sync";
import { fitbitWebhook } from "./webhook";

export const fitbit: ProviderAdapter = {
  id: "fitbit",
  catalog: fitbitCatalog,
  auth: fitbitAuth,
  sync: fitbitSync,
  webhook: fitbitWebhook,
};
