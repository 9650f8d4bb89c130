import { z } from "zod";

/** What kind of thing a source is; drives the filter tabs and the card's type label. */
export const IntegrationType = z.enum(["wearable", "scale", "cgm", "app", "ehr", "email"]);
export type IntegrationType = z.infer<typeof IntegrationType>;

/**
 * The status a person sees on a card. `available` and `coming_soon` come from configuration (no row in D1);
 * the rest are stored per connection. `needs_reauth` and `error` always carry a reason the user can read.
 */
export const IntegrationStatus = z.enum(["available", "connected", "disconnected", "coming_soon", "needs_reauth", "error"]);
export type IntegrationStatus = z.infer<typeof IntegrationStatus>;

/** Statuses a connection row can hold in D1. */
export const StoredConnectionStatus = IntegrationStatus.extract(["connected", "disconnected", "needs_reauth", "error"]);
export type StoredConnectionStatus = z.infer<typeof StoredConnectionStatus>;

export const SourceId = z.enum(["oura", "whoop", "fitbit", "garmin", "withings", "apple-health", "health-connect", "dexcom", "epic", "gmail"]);
export type SourceId = z.infer<typeof SourceId>;

export const Section = z.enum(["devices", "records", "purchases"]);
export type Section = z.infer<typeof Section>;

export const SECTION_TITLES: Record<Section, string> = {
  devices: "Devices & Wearables",
  records: "Health Records",
  purchases: "Purchase Intelligence",
};

/** The filter tabs of the Devices & Wearables section; `all` shows every device source. */
export const DeviceFilter = z.enum(["all", "wearables", "cgm", "apps"]);
export type DeviceFilter = z.infer<typeof DeviceFilter>;

export const DEVICE_FILTER_LABELS: Record<DeviceFilter, string> = {
  all: "All",
  wearables: "Wearables",
  cgm: "CGM",
  apps: "Apps",
};

const FILTER_TYPES: Record<DeviceFilter, readonly IntegrationType[]> = {
  all: ["wearable", "scale", "cgm", "app"],
  wearables: ["wearable", "scale"],
  cgm: ["cgm"],
  apps: ["app"],
};

export function matchesFilter(type: IntegrationType, filter: DeviceFilter): boolean {
  return FILTER_TYPES[filter].includes(type);
}

/** How a source is connected; decides which credentials make it available. */
export const ConnectMethod = z.enum(["oauth2", "smart-on-fhir", "aggregator"]);
export type ConnectMethod = z.infer<typeof ConnectMethod>;

export const CatalogEntry = z.object({
  id: SourceId,
  name: z.string().min(1),
  vendor: z.string().min(1),
  type: IntegrationType,
  section: Section,
  description: z.string().min(1),
  /** Plain-language list of what the source shares with Wellness OS, shown in the connect modal. */
  reads: z.array(z.string().min(1)).min(1),
  /** The exact scopes requested at the provider. */
  scopes: z.array(z.string().min(1)),
  connectMethod: ConnectMethod,
  /** Environment variables that must all be set for the real provider to be used. */
  credentialVars: z.array(z.string().min(1)).min(1),
  /** Whether a local sandbox of this provider exists for development. */
  hasSandbox: z.boolean(),
  /** Two-letter mark and its colour, drawn as the source's logo on the card. */
  mark: z.object({ letters: z.string().min(1).max(2), color: z.string().regex(/^#[0-9a-f]{6}$/i) }),
  privacyNote: z.string().min(1),
  /**
   * A consent the person must give in the connect dialog before the provider's page opens (Gmail receipts):
   * the checkbox's words and the value the start route requires.
   */
  explicitConsent: z.object({ value: z.string().regex(/^[a-z0-9-]{1,64}$/), text: z.string().min(1) }).optional(),
  /** What the source calls its daily readiness score on the detail charts (WHOOP: Recovery). */
  readinessLabel: z.string().min(1).default("Readiness"),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

/** The privacy promise every source's connect dialog repeats. */
export const PRIVACY_DEFAULT =
  "Wellness OS reads only what is listed here, stores it encrypted, never sells it, and deletes it when you ask. You can disconnect at any time.";
