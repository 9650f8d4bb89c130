import { OAuth2Tokens } from "arctic";
import { encodeBase64 } from "../lib/encoding";
import { requestedRetryDelay } from "../providers/retry-after";
import type { ClientCredentials } from "../providers/types";
import { OAuth2RequestError, ProviderUnavailableError } from "./errors";

export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

export interface TokenRequest {
  endpoint: string;
  params: Record<string, string>;
  credentials: ClientCredentials;
  clientAuthentication: "basic" | "body";
  fetch: typeof fetch;
  timeoutMs?: number;
  /** The RFC 6749 body inside a provider's envelope (Withings), or a thrown OAuth2RequestError / ProviderUnavailableError. */
  unwrap?: (data: unknown) => object;
}

/**
 * Sends one token request (code exchange or refresh) and returns arctic's `OAuth2Tokens`.
 *
 * arctic's own clients send through the global `fetch`, always put a confidential client's secret in a Basic
 * header, and never time out. This transport keeps arctic's result and error types but takes `fetch` from the
 * caller (real provider, development sandbox, or a test peer), bounds every call with a timeout, and puts client
 * credentials where each provider wants them: the one place the engine handles that, for every provider.
 */
export async function requestTokens(request: TokenRequest): Promise<OAuth2Tokens> {
  const body = new URLSearchParams(request.params);
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" });
  const { clientId, clientSecret } = request.credentials;
  if (request.clientAuthentication === "basic" && clientSecret !== null) {
    // RFC 6749 §2.3.1: form-encode each part before joining, then base64.
    const encoded = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
    headers.set("Authorization", `Basic ${encodeBase64(new TextEncoder().encode(encoded))}`);
  } else {
    body.set("client_id", clientId);
    if (clientSecret !== null) body.set("client_secret", clientSecret);
  }

  let response: Response;
  try {
    response = await request.fetch(request.endpoint, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(request.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new ProviderUnavailableError(timedOut ? "timeout" : "network");
  }

  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON: handled below by status.
  }
  if (response.status === 200 && typeof data === "object" && data !== null) return new OAuth2Tokens(request.unwrap ? request.unwrap(data) : data);
  if ((response.status === 400 || response.status === 401) && isErrorBody(data)) {
    throw new OAuth2RequestError(data.error, typeof data.error_description === "string" ? data.error_description : null, null, null);
  }
  if (response.status === 429) throw new ProviderUnavailableError("rate_limited", 429, requestedRetryDelay(response));
  throw new ProviderUnavailableError("server", response.status, requestedRetryDelay(response));
}

function isErrorBody(data: unknown): data is { error: string; error_description?: unknown } {
  return typeof data === "object" && data !== null && typeof (data as { error?: unknown }).error === "string";
}
