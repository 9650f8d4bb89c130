import type { ProviderAdapter } from "../types";
import { gmailCatalog } from "./catalog";
import { gmailAuth } from "./auth";

export const gmail: ProviderAdapter = {
  id: "gmail",
  catalog: gmailCatalog,
  auth: gmailAuth,
};
