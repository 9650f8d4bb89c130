import { z } from "zod";
import { CatalogEntry, type SourceId } from "../domain/integration";
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
import { withings } from "./withings";

/** Every provider, one line each, in the order the settings page shows them. Adding a provider: a folder + a line. */
export const PROVIDERS: Record<SourceId, ProviderAdapter> = {
  oura,
  whoop,
  fitbit,
  garmin,
  withings,
  "apple-health": appleHealth,
  "health-connect": healthConnect,
  dexcom,
  epic,
  gmail,
};

export function provider(id: SourceId): ProviderAdapter {
  return PROVIDERS[id];
}

/** The catalog, assembled from the adapters' own entries and checked once at startup. */
export const CATALOG: readonly CatalogEntry[] = z.array(CatalogEntry).parse(Object.values(PROVIDERS).map((adapter) => adapter.catalog));
for (const [id, adapter] of Object.entries(PROVIDERS)) {
  if (adapter.id !== id || adapter.catalog.id !== id) throw new Error(`provider ${id} is registered under another id`);
}
