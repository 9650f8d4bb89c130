import type { ProviderAdapter } from "../types";
import { dexcomAuth } from "./auth";
import { dexcomSync } from "./sync";

export const dexcom: ProviderAdapter = {
  id: "dexcom",
  auth: dexcomAuth,
  sync: dexcomSync,
};
