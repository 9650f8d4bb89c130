import type { SourceId } from "../../domain/integration";
import { development } from "../../platform/development";
import type { TokenSet } from "../types";
import { JunctionClient, junctionConfig } from "./api";
import { slugForSource } from "./sources";

/** What the person's UserHub holds for a source reached through Junction: no token, the Junction user id. */
export const isJunctionGrant = (tokens: TokenSet) => tokens.context.aggregator === "junction";

/**
 * The person disconnected a source reached through Junction: ask Junction to stop pulling it for them
 * (`DELETE /v2/user/{user_id}/{provider}`; a 404 means it was already gone). Throws when Junction could not be told,
 * which the disconnect reports as "not confirmed" while still forgetting everything here.
 */
export async function deregisterAtJunction(env: Env, source: SourceId, tokens: TokenSet): Promise<void> {
  const junctionUserId = tokens.context.junction_user_id;
  const slug = slugForSource(source);
  const config = junctionConfig(env, development() !== null);
  if (!junctionUserId || !slug || !config) throw new Error("Junction is not reachable for this source");
  await new JunctionClient(env, config).deregister(junctionUserId, slug);
}
