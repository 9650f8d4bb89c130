import { OAuth2RequestError } from "arctic";

export { OAuth2RequestError };

/** The provider did not answer usefully: a 5xx, a timeout, a dropped connection. Worth retrying; never terminal. */
export class ProviderUnavailableError extends Error {
  override name = "ProviderUnavailableError";
  constructor(
    readonly reason: "timeout" | "server" | "network" | "rate_limited",
    readonly status: number | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`provider unavailable: ${reason}${status ? ` (${status})` : ""}`);
  }
}

/** The provider answered 200 but without what we need (no access token, no refresh token for a polled source). */
export class TokenResponseError extends Error {
  override name = "TokenResponseError";
  constructor(readonly missing: string) {
    super(`token response lacks ${missing}`);
  }
}

/** The grant is gone for good (RFC 6749 `invalid_grant` and kin): the person must connect again. */
export function isTerminalGrantError(error: unknown): error is OAuth2RequestError {
  return error instanceof OAuth2RequestError && ["invalid_grant", "unauthorized_client", "invalid_client"].includes(error.code);
}

// Error codes are shown to people only if they look like RFC 6749 codes, never provider free text.
export function safeErrorCode(code: string | null | undefined): string | null {
  return code && /^[a-z_]{1,40}$/.test(code) ? code : null;
}
