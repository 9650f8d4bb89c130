import type { ProviderAdapter } from "../types";
import { fitbitAuth } from "./auth";

export const fitbit: ProviderAdapter = {
  id: "fitbit",
  auth: fitbitAuth,
};
