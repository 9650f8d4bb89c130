import type { ProviderAdapter } from "../types";
import { whoopAuth } from "./auth";
import { whoopCatalog } from "./catalog";
import { whoopSync } from "./sync";
import { whoopWebhook } from "./webhook";

export const whoop: ProviderAdapter = {
  id: "whoop",
  catalog: whoopCatalog,
  auth: whoopAuth,
  sync: whoopSync,
  webhook: whoopWebhook,
};
