import type { Context } from "hono";
import type { AppEnv } from "../app-env";

/**
 * The person's time zone for times on a chart: Cloudflare's estimate from where the request came from
 * (`request.cf.timezone`), an IANA name; UTC when there is none (local development, tests) or it is not one the
 * runtime knows. Charts name the zone they use, so a wrong guess is visible rather than silent.
 */
export function personTimeZone(c: Context<AppEnv>): string {
  const zone = (c.req.raw.cf as { timezone?: unknown } | undefined)?.timezone;
  if (typeof zone !== "string" || zone.length === 0 || zone.length > 64) return "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return "UTC";
  }
}
