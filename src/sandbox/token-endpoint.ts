import type { SourceId } from "../domain/integration";
import { SourceId as SourceIdSchema } from "../domain/integration";
import { timingSafeEqual } from "../lib/encoding";
import { provider } from "../providers/registry";
import { sandboxCredentials, sourceFromSandboxClientId } from "./credentials";
import { redeemCode, rotateRefreshToken, SandboxOAuthError } from "./grants";
import type { ProviderSandbox } from "./types";

function oauthError(error: SandboxOAuthError): Response {
  const status = error.code === "invalid_client" ? 401 : 400;
  return Response.json({ error: error.code, error_description: error.description }, { status, headers: { "Cache-Control": "no-store" } });
}

function presentedClient(request: Request, form: URLSearchParams): { clientId: string; secret: string | null; via: "basic" | "body" } | null {
  const header = request.headers.get("Authorization");
  if (header?.startsWith("Basic ")) {
    const decoded = atob(header.slice(6));
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)), via: "basic" };
  }
  const clientId = form.get("client_id");
  return clientId ? { clientId, secret: form.get("client_secret"), via: "body" } : null;
}

/**
 * The sandbox authorization server's token endpoint, shared by every sandbox provider. It is as strict as the
 * strictest real provider: credentials must come the way that provider takes them, codes are one-time and
 * PKCE-checked, and refresh tokens rotate.
 */
export async function handleSandboxTokenRequest(
  request: Request,
  env: Env,
  sandboxes: ReadonlyMap<SourceId, ProviderSandbox>,
  allowed: readonly SourceId[],
): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  try {
    const client = presentedClient(request, form);
    const parsedSource = SourceIdSchema.safeParse(client ? sourceFromSandboxClientId(client.clientId) : null);
    if (!client || !parsedSource.success || !allowed.includes(parsedSource.data)) throw new SandboxOAuthError("invalid_client", "unknown client");
    const source = parsedSource.data;
    const sandbox = sandboxes.get(source)!;
    const auth = provider(source).auth;
    const expected = await sandboxCredentials(source, env, auth.kind === "smart-on-fhir");
    const wantsBody = auth.kind === "oauth2" && auth.clientAuthentication === "body";
    if (expected.clientSecret !== null) {
      if (wantsBody && client.via !== "body") throw new SandboxOAuthError("invalid_client", "this provider takes client credentials in the form body");
      if (!wantsBody && client.via !== "basic") throw new SandboxOAuthError("invalid_client", "this provider takes client credentials in a Basic header");
      if (!client.secret || !timingSafeEqual(client.secret, expected.clientSecret)) throw new SandboxOAuthError("invalid_client", "wrong client secret");
    }

    const grantType = form.get("grant_type");
    let issued: Awaited<ReturnType<typeof redeemCode>>;
    if (grantType === "authorization_code") {
      const code = form.get("code");
      if (!code) throw new SandboxOAuthError("invalid_request", "code is required");
      issued = await redeemCode(env, code, {
        source,
        redirectUri: form.get("redirect_uri"),
        codeVerifier: form.get("code_verifier"),
        requirePkce: auth.kind !== "aggregator" && (auth.kind === "smart-on-fhir" || auth.pkce),
        ttlSeconds: sandbox.accessTokenTtlSeconds,
      });
    } else if (grantType === "refresh_token") {
      const refreshToken = form.get("refresh_token");
      if (!refreshToken) throw new SandboxOAuthError("invalid_request", "refresh_token is required");
      issued = await rotateRefreshToken(env, source, refreshToken, sandbox.accessTokenTtlSeconds);
      if (sandbox.refreshNeedsOfflineScope && !(form.get("scope") ?? "").split(" ").includes("offline")) {
        const { refresh_token: _withheld, ...withoutRefresh } = issued.tokens;
        return Response.json(withoutRefresh, { headers: { "Cache-Control": "no-store" } });
      }
    } else {
      throw new SandboxOAuthError("invalid_request", "unsupported grant_type");
    }
    return Response.json({ ...issued.tokens, ...sandbox.tokenResponseExtras?.(issued.subject, request.url) }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof SandboxOAuthError) return oauthError(error);
    throw error;
  }
}
