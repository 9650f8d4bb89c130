import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { dateOf, type ZoneSpan, zoneOn } from "../days/zone";

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

/**
 * The zone for a chart ending at `at`: the one the person set for their days (their own word, where they were on
 * that day), else the request's estimate. A traveller's VPN or a phone on another network does not move the chart.
 */
export function chartTimeZone(spans: readonly ZoneSpan[], at: number, requestZone: string): string {
  return spans.length > 0 ? zoneOn(dateOf(at, spans), spans) : requestZone;
}
