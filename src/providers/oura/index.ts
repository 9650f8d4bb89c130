import type { ProviderAdapter } from "../types";
import { ouraAuth } from "./auth";
import { ouraSync } from "./sync";
import { ouraWebhook } from "./webhook";

export const oura: ProviderAdapter = {
  id: "oura",
  auth: ouraAuth,
  sync: ouraSync,
  webhook: ouraWebhook,
};
