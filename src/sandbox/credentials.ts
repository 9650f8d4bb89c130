import type { SourceId } from "../domain/integration";
import { encodeBase64urlNoPadding, hmacSha256 } from "../lib/encoding";
import type { ClientCredentials } from "../providers/types";

const CLIENT_ID_PREFIX = "wellness-sandbox-";

/**
 * The sandbox's client credentials for a source. The secret is derived from SESSION_SECRET, so it exists only on
 * this machine and never in git; the app and its sandbox derive it the same way.
 */
export async function sandboxCredentials(source: SourceId, env: Pick<Env, "SESSION_SECRET">, publicClient = false): Promise<ClientCredentials> {
  return {
    clientId: `${CLIENT_ID_PREFIX}${source}`,
    clientSecret: publicClient ? null : encodeBase64urlNoPadding(await hmacSha256(env.SESSION_SECRET, `sandbox-client:${source}`)),
  };
}

export function sourceFromSandboxClientId(clientId: string): string | null {
  return clientId.startsWith(CLIENT_ID_PREFIX) ? clientId.slice(CLIENT_ID_PREFIX.length) : null;
}

/** The consent page a browser is sent to instead of the provider's (the only URL that moves in sandbox mode). */
export function sandboxAuthorizationEndpoint(source: SourceId, env: Pick<Env, "PUBLIC_BASE_URL">): string {
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/sandbox/${source}/authorize`;
}
