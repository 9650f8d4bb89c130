import type { SourceId } from "../domain/integration";

/** Client credentials as configured; `clientSecret` is null for public clients (PKCE only). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string | null;
}

export interface OAuthEndpoints {
  authorization: string;
  token: string;
}

/** Tokens as the vault holds them (decrypted, in memory only). */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms; null when the provider did not say. */
  expiresAt: number | null;
  scope: string | null;
  /** Provider extras worth keeping, e.g. SMART's `patient`. Never secrets. */
  context: Record<string, string>;
}

/** What a provider call needs: the fetch to use (real, sandbox or test peer) and, for data calls, a token. */
export interface ProviderCallContext {
  fetch: typeof fetch;
  env: Env;
}

/**
 * How an OAuth 2.0 provider authorizes. Everything the RFC leaves open, or the provider bends, is a field here,
 * so the engine stays one piece of code for every provider.
 */
export interface OAuth2Auth {
  kind: "oauth2";
  endpoints: (env: Env) => OAuthEndpoints;
  credentials: (env: Env) => ClientCredentials | null;
  /** RFC 6749 §2.3.1 prefers HTTP Basic; several providers want the secret in the form body instead. */
  clientAuthentication: "basic" | "body";
  pkce: boolean;
  /** Extra query parameters on the authorization URL, e.g. Google's `access_type=offline`. */
  authorizationParams?: Readonly<Record<string, string>>;
  /** A provider-imposed exact length for `state` (WHOOP: 8). */
  stateLength?: number;
  /** Scopes to send again on refresh (WHOOP needs `offline`). */
  refreshScopes?: readonly string[];
  /** Whether a connection is useless without a refresh token (true for every polled source). */
  requiresRefreshToken: boolean;
  /** Provider-specific revocation; absent when the provider offers none. */
  revoke?: (ctx: ProviderCallContext, tokens: TokenSet) => Promise<void>;
  /** The provider's id for this person, used to route webhooks; null when the provider has none. */
  identify?: (ctx: ProviderCallContext, tokens: TokenSet) => Promise<string | null>;
}

/** SMART on FHIR standalone launch: endpoints come from the server's `.well-known/smart-configuration`. */
export interface SmartOnFhirAuth {
  kind: "smart-on-fhir";
  fhirBaseUrl: (env: Env) => string;
  credentials: (env: Env) => ClientCredentials | null;
  requiresRefreshToken: boolean;
}

/** Sources reached through an aggregator's mobile SDK (Junction): no web authorization of our own. */
export interface AggregatorAuth {
  kind: "aggregator";
}

export type ProviderAuth = OAuth2Auth | SmartOnFhirAuth | AggregatorAuth;

/** One provider: a folder under src/providers/<source>/ exports exactly one of these. */
export interface ProviderAdapter {
  id: SourceId;
  auth: ProviderAuth;
}
