import type { ProviderAdapter } from "../types";
import { epicCatalog } from "./catalog";
import { epicAuth } from "./auth";

export const epic: ProviderAdapter = {
  id: "epic",
  catalog: epicCatalog,
  auth: epicAuth,
};
