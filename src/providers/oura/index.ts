import type { ProviderAdapter } from "../types";
import { ouraAuth } from "./auth";

export const oura: ProviderAdapter = {
  id: "oura",
  auth: ouraAuth,
};
