import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { getConnection, updateConnectionStatus } from "../db/connections";
import { catalogEntry } from "../domain/catalog";
import { errorResponse } from "./errors";
import { sourceParam } from "./source-param";

export const integrationRoutes = new Hono<AppEnv>()
  .get("/:source/start", sourceParam, (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    return errorResponse(c, 503, `${entry.name} is not configured yet: connecting it arrives with the OAuth engine.`);
  })
  .post("/:source/disconnect", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const db = c.get("db");
    const user = c.get("user");
    const connection = await getConnection(db, user.id, entry.id);
    if (!connection || connection.status === "disconnected") return errorResponse(c, 404, `${entry.name} is not connected.`);
    await updateConnectionStatus(db, user.id, entry.id, "disconnected");
    return c.redirect("/settings", 303);
  });
