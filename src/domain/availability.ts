import { development } from "../platform/development";
import { JUNCTION_CREDENTIALS, viaJunction } from "../providers/junction/routes";
import type { CatalogEntry } from "./integration";

/**
 * How a source is reached in this deployment:
 * - `live`: its credentials are configured, so the real provider is used;
 * - `sandbox`: development only (the development entry installed its kit), no credentials, and a local simulator
 *   of the provider exists;
 * - `unavailable`: neither, so the card shows "Coming soon".
 * Only configuration decides this; nothing in a request can turn the sandbox on.
 */
export type SourceMode = "live" | "sandbox" | "unavailable";

export interface ModeConfig {
  readonly ENVIRONMENT: string;
}

export function sourceMode(entry: CatalogEntry, env: ModeConfig): SourceMode {
  const vars = env as unknown as Record<string, unknown>;
  // A source the deployment sends through Junction needs Junction's key, not its own (src/providers/junction/routes.ts).
  const needed = viaJunction(env as unknown as Env, entry.id) ? JUNCTION_CREDENTIALS : entry.credentialVars;
  const configured = needed.every((name) => typeof vars[name] === "string" && vars[name] !== "");
  if (configured) return "live";
  if (env.ENVIRONMENT === "development" && entry.hasSandbox && development()) return "sandbox";
  return "unavailable";
}
