import type { ProviderAdapter } from "../types";
import { garminAuth } from "./auth";

export const garmin: ProviderAdapter = {
  id: "garmin",
  auth: garminAuth,
};
