import type { ProviderAdapter } from "../types";
import { epicAuth } from "./auth";

export const epic: ProviderAdapter = {
  id: "epic",
  auth: epicAuth,
};
