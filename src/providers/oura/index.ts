import type { ProviderAdapter } from "../types";
import { ouraAuth } from "./auth";
import { ouraCatalog } from "./catalog";
import { ouraSync } from "./sync";
import { ouraWebhook } from "./webhook";

export const oura: ProviderAdapter = {
  id: "oura",
  catalog: ouraCatalog,
  auth: ouraAuth,
  sync: ouraSync,
  webhook: ouraWebhook,
};
