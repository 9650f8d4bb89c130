import type { ProviderAdapter } from "../types";
import { whoopAuth } from "./auth";

export const whoop: ProviderAdapter = {
  id: "whoop",
  auth: whoopAuth,
};
