import type { ProviderAdapter } from "../types";
import { withingsAuth } from "./auth";
import { withingsCatalog } from "./catalog";
import { withingsSync } from "./sync";
import { withingsWebhook } from "./webhook";

export const withings: ProviderAdapter = {
  id: "withings",
  catalog: withingsCatalog,
  auth: withingsAuth,
  sync: withingsSync,
  webhook: withingsWebhook,
};
