import type { SourceId } from "../domain/integration";
import { appleHealth } from "./apple-health";
import { dexcom } from "./dexcom";
import { epic } from "./epic";
import { fitbit } from "./fitbit";
import { garmin } from "./garmin";
import { gmail } from "./gmail";
import { healthConnect } from "./health-connect";
import { oura } from "./oura";
import type { ProviderAdapter } from "./types";
import { whoop } from "./whoop";

export const PROVIDERS: Record<SourceId, ProviderAdapter> = {
  oura,
  whoop,
  fitbit,
  garmin,
  "apple-health": appleHealth,
  "health-connect": healthConnect,
  dexcom,
  epic,
  gmail,
};

export function provider(id: SourceId): ProviderAdapter {
  return PROVIDERS[id];
}
