import type { ProviderAdapter } from "../types";
import { gmailAuth } from "./auth";
import { gmailCatalog } from "./catalog";
import { gmailPush } from "./push";
import { gmailSync } from "./sync";
import { gmailWatch } from "./watch";

export const gmail: ProviderAdapter = {
  id: "gmail",
  catalog: gmailCatalog,
  auth: gmailAuth,
  sync: gmailSync,
  watch: gmailWatch,
  webhook: gmailPush,
};
