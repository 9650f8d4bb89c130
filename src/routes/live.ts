import { Hono } from "hono";
import { userHubFor } from "../../durable-objects/user-hub";
import type { AppEnv } from "../app-env";
import { catalogEntry } from "../domain/catalog";
import { provider } from "../providers/registry";
import { errorResponse } from "./errors";
import { sourceParam } from "./source-param";

/**
 * Live views: the page's WebSocket goes to the person's own Durable Object, which pushes each new reading.
 * Browsers attach cookies to cross-site WebSocket handshakes, so the Origin must be this site.
 */
export const liveRoutes = new Hono<AppEnv>().get("/:source", sourceParam, async (c) => {
  const source = c.req.valid("param").source;
  if (!provider(source).live) return errorResponse(c, 404, `${catalogEntry(source).name} has no live view.`);
  if (c.req.header("Upgrade") !== "websocket") return errorResponse(c, 426, `This address is for the live ${catalogEntry(source).name} view's WebSocket.`);
  const origin = c.req.header("Origin");
  if (origin !== new URL(c.req.url).origin) return errorResponse(c, 403, "Live views open only from Wellness OS pages.");
  const user = c.get("user");
  const headers = new Headers(c.req.raw.headers);
  // Set here, never taken from the client: which person's object answers.
  headers.set("X-Wellness-User", user.id);
  const hub = userHubFor(c.env, user.id);
  const upgraded = await hub.fetch(new Request(c.req.url, { headers }));
  // A response from a Durable Object has immutable headers; re-wrap it so the app's security headers can be set.
  return new Response(upgraded.body, { status: upgraded.status, headers: new Headers(upgraded.headers), webSocket: upgraded.webSocket });
});
