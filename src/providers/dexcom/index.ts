import type { ProviderAdapter } from "../types";
import { dexcomAuth } from "./auth";

export const dexcom: ProviderAdapter = {
  id: "dexcom",
  auth: dexcomAuth,
};
