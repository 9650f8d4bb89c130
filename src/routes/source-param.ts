import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { SourceId } from "../domain/integration";
import { errorResponse } from "./errors";

/** Validates `:source` against the catalog; anything else is a 404 page, before any handler runs. */
export const sourceParam = zValidator("param", z.object({ source: SourceId }), (result, c) => {
  if (!result.success) return errorResponse(c as never, 404, "There is no such source in Wellness OS.");
});
