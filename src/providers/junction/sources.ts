import type { SourceId } from "../../domain/integration";

/**
 * Junction's provider slugs (https://docs.junction.com/wearables/providers/introduction) for the sources we show as
 * cards. Several slugs may mean one card: Junction versions some integrations (`whoop_v2`, `dexcom_v3`).
 */
const SLUG_TO_SOURCE: Readonly<Record<string, SourceId>> = {
  apple_health_kit: "apple-health",
  health_connect: "health-connect",
  oura: "oura",
  whoop: "whoop",
  whoop_v2: "whoop",
  fitbit: "fitbit",
  garmin: "garmin",
  dexcom: "dexcom",
  dexcom_v3: "dexcom",
};

/** The slug Junction's link flow wants when we ask it to connect a card's source. */
const SOURCE_TO_SLUG: Readonly<Partial<Record<SourceId, string>>> = {
  "apple-health": "apple_health_kit",
  "health-connect": "health_connect",
  oura: "oura",
  whoop: "whoop_v2",
  fitbit: "fitbit",
  garmin: "garmin",
  dexcom: "dexcom_v3",
};

/** The card a Junction source slug belongs to; null for a provider we do not show. */
export function sourceForSlug(slug: string): SourceId | null {
  return Object.hasOwn(SLUG_TO_SOURCE, slug) ? (SLUG_TO_SOURCE[slug] ?? null) : null;
}

export function slugForSource(source: SourceId): string | null {
  return SOURCE_TO_SLUG[source] ?? null;
}
