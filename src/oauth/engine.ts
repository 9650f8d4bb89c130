import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client, type OAuth2Tokens } from "arctic";
import { z } from "zod";
import { catalogEntry } from "../domain/catalog";
import type { SourceId } from "../domain/integration";
import { development } from "../platform/development";
import { type ConnectionMode, PROVIDER_TIMEOUT_MS, providerFetch } from "../providers/calls";
import { provider } from "../providers/registry";
import type { ClientCredentials, ProviderCallContext, TokenSet } from "../providers/types";
import { TokenResponseError } from "./errors";
import { discoverSmartConfiguration } from "./smart-discovery";
import { requestTokens } from "./token-transport";

export type { ConnectionMode };

/** Everything needed to run one provider's authorization, refresh and revocation, resolved for a mode. */
export interface OAuthClient {
  source: SourceId;
  mode: ConnectionMode;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  credentials: ClientCredentials;
  clientAuthentication: "basic" | "body";
  pkce: boolean;
  authorizationParams: Readonly<Record<string, string>>;
  stateLength: number | null;
  refreshScopes: readonly string[];
  requiresRefreshToken: boolean;
  scopes: readonly string[];
  scopeDelimiter: " " | ",";
  tokenParams: Readonly<Record<string, string>>;
  unwrapTokenResponse: ((data: unknown) => object) | null;
  tokenContextFields: readonly string[];
  redirectUri: string;
  fetch: typeof fetch;
  revoke: ((tokens: TokenSet) => Promise<void>) | null;
  identify: ((tokens: TokenSet) => Promise<string | null>) | null;
}

export interface EngineOptions {
  /** The fetch for live providers; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Bound on every token request. */
  timeoutMs?: number;
}

export class NotConfiguredError extends Error {
  override name = "NotConfiguredError";
}

export function redirectUriFor(source: SourceId, env: Pick<Env, "PUBLIC_BASE_URL">): string {
  return `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/api/integrations/${source}/callback`;
}

/**
 * Resolves a source's OAuth client for `mode`. In sandbox mode the provider's real token and API URLs are kept,
 * but requests go through the in-process sandbox, and only the consent page (a browser navigation) moves to
 * this app's /sandbox route.
 */
export async function resolveOAuthClient(source: SourceId, env: Env, mode: ConnectionMode, options: EngineOptions = {}): Promise<OAuthClient> {
  const auth = provider(source).auth;
  if (auth.kind === "aggregator") throw new NotConfiguredError(`${source} has no web authorization`);
  const entry = catalogEntry(source);
  const sandbox = mode === "sandbox" ? development() : null;
  if (mode === "sandbox" && !sandbox) throw new NotConfiguredError(`${source} has no sandbox in this deployment`);
  const fetcher = providerFetch(env, mode, { ...(options.fetch ? { fetch: options.fetch } : {}), timeoutMs: options.timeoutMs ?? PROVIDER_TIMEOUT_MS });
  const credentials = sandbox ? await sandbox.sandboxCredentials(source, env, auth.kind === "smart-on-fhir") : auth.credentials(env);
  if (!credentials) throw new NotConfiguredError(`${source} has no client credentials`);
  const callContext: ProviderCallContext = { fetch: fetcher, env };

  if (auth.kind === "smart-on-fhir") {
    const fhirBase = auth.fhirBaseUrl(env);
    const smart = await discoverSmartConfiguration(fhirBase, fetcher, options.timeoutMs);
    const revocationEndpoint = smart.revocation_endpoint;
    return {
      source,
      mode,
      authorizationEndpoint: sandbox ? sandbox.sandboxAuthorizationEndpoint(source, env) : smart.authorization_endpoint,
      tokenEndpoint: smart.token_endpoint,
      credentials,
      // A confidential SMART client authenticates with Basic; a public one sends only its client_id.
      clientAuthentication: "basic",
      // SMART App Launch 2 requires PKCE with S256 for every app.
      pkce: true,
      // SMART requires `aud`: the FHIR base the token will be used against.
      authorizationParams: { aud: fhirBase },
      stateLength: null,
      refreshScopes: [],
      requiresRefreshToken: auth.requiresRefreshToken,
      scopes: entry.scopes,
      scopeDelimiter: " ",
      tokenParams: {},
      unwrapTokenResponse: null,
      tokenContextFields: [],
      redirectUri: redirectUriFor(source, env),
      fetch: fetcher,
      revoke: revocationEndpoint
        ? async (tokens) => {
            const body = new URLSearchParams({ token: tokens.refreshToken ?? tokens.accessToken, client_id: credentials.clientId });
            const response = await fetcher(revocationEndpoint, { method: "POST", body, signal: AbortSignal.timeout(options.timeoutMs ?? PROVIDER_TIMEOUT_MS) });
            if (!response.ok && response.status !== 400) throw new Error(`revocation answered ${response.status}`);
          }
        : null,
      // The patient the token is scoped to is the person's identity at the health system.
      identify: async (tokens) => tokens.context.patient ?? null,
    };
  }

  const endpoints = auth.endpoints(env);
  return {
    source,
    mode,
    authorizationEndpoint: sandbox ? sandbox.sandboxAuthorizationEndpoint(source, env) : endpoints.authorization,
    tokenEndpoint: endpoints.token,
    credentials,
    clientAuthentication: auth.clientAuthentication,
    pkce: auth.pkce,
    authorizationParams: auth.authorizationParams ?? {},
    stateLength: auth.stateLength ?? null,
    refreshScopes: auth.refreshScopes ?? [],
    requiresRefreshToken: auth.requiresRefreshToken,
    scopes: entry.scopes,
    scopeDelimiter: auth.scopeDelimiter ?? " ",
    tokenParams: auth.tokenParams ?? {},
    unwrapTokenResponse: auth.unwrapTokenResponse ?? null,
    tokenContextFields: auth.tokenContextFields ?? [],
    redirectUri: redirectUriFor(source, env),
    fetch: fetcher,
    revoke: auth.revoke ? (tokens) => auth.revoke!(callContext, tokens) : null,
    identify: auth.identify ? (tokens) => auth.identify!(callContext, tokens) : null,
  };
}

const STATE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A state of exactly `length` characters from an unbiased alphabet (for providers that fix its length). */
function fixedLengthState(length: number): string {
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      // 62 * 4 = 248: reject bytes above it so every character is equally likely.
      if (byte < 248 && out.length < length) out.push(STATE_ALPHABET[byte % 62]!);
    }
  }
  return out.join("");
}

export interface Authorization {
  url: URL;
  state: string;
  codeVerifier: string | null;
}

export function createAuthorization(client: OAuthClient): Authorization {
  const state = client.stateLength ? fixedLengthState(client.stateLength) : generateState();
  const codeVerifier = client.pkce ? generateCodeVerifier() : null;
  // The secret is never part of an authorization URL, so arctic's client is built without it here.
  const arcticClient = new OAuth2Client(client.credentials.clientId, null, client.redirectUri);
  const scopes = [...client.scopes];
  const url = codeVerifier
    ? arcticClient.createAuthorizationURLWithPKCE(client.authorizationEndpoint, state, CodeChallengeMethod.S256, codeVerifier, scopes)
    : arcticClient.createAuthorizationURL(client.authorizationEndpoint, state, scopes);
  if (client.scopeDelimiter !== " " && scopes.length > 0) url.searchParams.set("scope", scopes.join(client.scopeDelimiter));
  for (const [name, value] of Object.entries(client.authorizationParams)) url.searchParams.set(name, value);
  return { url, state, codeVerifier };
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
  patient: z.string().min(1).optional(),
});

/** Validates a token response into the vault's shape; a response without what we need is refused, not stored. */
export function toTokenSet(
  tokens: OAuth2Tokens,
  options: { requireRefreshToken: boolean; previousRefreshToken?: string | null; now?: number; contextFields?: readonly string[] },
): TokenSet {
  const parsed = TokenResponse.safeParse(tokens.data);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    throw new TokenResponseError(typeof field === "string" ? field : "a valid body");
  }
  const data = parsed.data;
  // RFC 6749 §6: a refresh response may omit refresh_token, meaning the old one stays valid.
  const refreshToken = data.refresh_token ?? options.previousRefreshToken ?? null;
  if (options.requireRefreshToken && !refreshToken) throw new TokenResponseError("refresh_token");
  const now = options.now ?? Date.now();
  const context: Record<string, string> = data.patient ? { patient: data.patient } : {};
  for (const field of options.contextFields ?? []) {
    const value = (tokens.data as Record<string, unknown>)[field];
    if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) context[field] = String(value);
  }
  return {
    accessToken: data.access_token,
    refreshToken,
    expiresAt: data.expires_in ? now + data.expires_in * 1000 : null,
    scope: data.scope ?? null,
    context,
  };
}

function tokenRequest(client: OAuthClient, params: Record<string, string>, options: EngineOptions) {
  return requestTokens({
    endpoint: client.tokenEndpoint,
    params: { ...client.tokenParams, ...params },
    credentials: client.credentials,
    clientAuthentication: client.clientAuthentication,
    fetch: client.fetch,
    ...(client.unwrapTokenResponse ? { unwrap: client.unwrapTokenResponse } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

export async function exchangeCode(client: OAuthClient, code: string, codeVerifier: string | null, options: EngineOptions = {}): Promise<TokenSet> {
  const params: Record<string, string> = { grant_type: "authorization_code", code, redirect_uri: client.redirectUri };
  if (codeVerifier) params.code_verifier = codeVerifier;
  return toTokenSet(await tokenRequest(client, params, options), {
    requireRefreshToken: client.requiresRefreshToken,
    contextFields: client.tokenContextFields,
  });
}

export async function refreshTokenSet(client: OAuthClient, current: TokenSet, options: EngineOptions = {}): Promise<TokenSet> {
  if (!current.refreshToken) throw new TokenResponseError("refresh_token");
  const params: Record<string, string> = { grant_type: "refresh_token", refresh_token: current.refreshToken };
  if (client.refreshScopes.length > 0) params.scope = client.refreshScopes.join(" ");
  const tokens = await tokenRequest(client, params, options);
  const next = toTokenSet(tokens, {
    requireRefreshToken: client.requiresRefreshToken,
    previousRefreshToken: current.refreshToken,
    contextFields: client.tokenContextFields,
  });
  // Keep context the refresh response does not repeat (e.g. SMART's patient).
  return { ...next, context: { ...current.context, ...next.context } };
}
