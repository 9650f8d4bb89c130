import type { ProviderAdapter } from "../types";
import { whoopAuth } from "./auth";
import { whoopSync } from "./sync";
import { whoopWebhook } from "./webhook";

export const whoop: ProviderAdapter = {
  id: "whoop",
  auth: whoopAuth,
  sync: whoopSync,
  webhook: whoopWebhook,
};
