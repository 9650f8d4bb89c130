import type { ProviderAdapter } from "../types";
import { epicAuth } from "./auth";
import { epicCatalog } from "./catalog";
import { epicSync } from "./sync";

export const epic: ProviderAdapter = {
  id: "epic",
  catalog: epicCatalog,
  auth: epicAuth,
  sync: epicSync,
};
