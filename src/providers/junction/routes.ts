import type { SourceId } from "../../domain/integration";
import { SourceId as SourceIdSchema } from "../../domain/integration";

/** Sources that exist only through Junction's mobile SDK: always routed through it. */
const PHONE_SOURCES: readonly SourceId[] = ["apple-health", "health-connect"];

/**
 * The sources this deployment reaches through Junction: the phone sources always, plus any direct wearable listed
 * in `JUNCTION_ROUTES` (comma-separated source ids, e.g. `whoop` while WHOOP's app-wide request limit holds).
 */
export function junctionRoutes(env: Env): ReadonlySet<SourceId> {
  const listed = (env.JUNCTION_ROUTES ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((entry) => {
      const parsed = SourceIdSchema.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  return new Set([...PHONE_SOURCES, ...listed]);
}

export const isPhoneSource = (source: SourceId) => PHONE_SOURCES.includes(source);

/** What a deployment configures to reach any source through Junction. */
export const JUNCTION_CREDENTIALS = ["JUNCTION_API_KEY"] as const;

/** Whether this source is reached through Junction in this deployment (the phone sources always are). */
export const viaJunction = (env: Env, source: SourceId) => junctionRoutes(env).has(source);
