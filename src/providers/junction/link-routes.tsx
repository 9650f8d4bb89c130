import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { catalogEntry } from "../../domain/catalog";
import { ProviderUnavailableError } from "../../oauth/errors";
import { development } from "../../platform/development";
import { errorResponse } from "../../routes/errors";
import { sourceParam } from "../../routes/source-param";
import { JunctionAuthError, JunctionClient, junctionConfig } from "./api";
import { viaJunction } from "./routes";
import { slugForSource } from "./sources";
import { ensureJunctionUser } from "./users";

/**
 * Junction as a route for a direct wearable (JUNCTION_ROUTES): Connect goes through Junction Link instead of the
 * wearable's own OAuth. Mounted under /api/integrations ahead of the OAuth routes; for any source that is not routed
 * through Junction it steps aside (`next()`), so the wearable's own flow runs unchanged.
 */
export const junctionLinkRoutes = new Hono<AppEnv>()
  .get("/:source/start", sourceParam, async (c, next) => {
    const entry = catalogEntry(c.req.valid("param").source);
    if (entry.connectMethod === "aggregator" || !viaJunction(c.env, entry.id)) return next();
    const config = junctionConfig(c.env, development() !== null);
    const slug = slugForSource(entry.id);
    if (!config || !slug) return errorResponse(c, 409, `${entry.name} is not available to connect yet.`);
    const client = new JunctionClient(c.env, config);
    try {
      const person = await ensureJunctionUser(c.get("db"), client, c.get("user").id, config.mode);
      // `POST /v2/link/token` with the provider: Junction Link opens straight at this wearable's own authorization.
      const link = await client.linkToken(person.junctionUserId, slug, new URL(`/settings?connected=${entry.id}`, c.env.PUBLIC_BASE_URL).toString());
      c.header("Cache-Control", "no-store");
      return c.redirect(link.linkWebUrl, 302);
    } catch (error) {
      if (error instanceof ProviderUnavailableError)
        return errorResponse(c, 503, "Junction is unavailable just now. Nothing was connected; please try again in a few minutes.");
      if (error instanceof JunctionAuthError) {
        console.error(JSON.stringify({ event: "junction_key_refused", status: error.status }));
        return errorResponse(c, 502, "Junction refused this deployment's key. Nothing was connected; the team has been told.");
      }
      throw error;
    }
  })
  // Junction pushes a routed wearable's data as it has it: there is no pull of our own to start by hand.
  .post("/:source/sync", sourceParam, async (c, next) => {
    const entry = catalogEntry(c.req.valid("param").source);
    if (entry.connectMethod === "aggregator" || !viaJunction(c.env, entry.id)) return next();
    return errorResponse(c, 409, `${entry.name} data arrives through Junction as soon as Junction has it; there is nothing to sync by hand.`);
  });
