import { OAuth2RequestError, ProviderUnavailableError } from "../../oauth/errors";
import { AccessRevokedError, ProviderRequestError } from "../../sync/pull-context";
import type { PullContext } from "../types";

export const AUTHORIZATION_ENDPOINT = "https://account.withings.com/oauth2_user/authorize2";
export const TOKEN_ENDPOINT = "https://wbsapi.withings.net/v2/oauth2";
export const MEASURE_ENDPOINT = "https://wbsapi.withings.net/measure";
export const NOTIFY_ENDPOINT = "https://wbsapi.withings.net/notify";

/** Withings' own "slow down": 120 requests a minute per application. It sends no Retry-After, so a minute. */
const RATE_LIMIT_RETRY_SECONDS = 60;

/**
 * Withings' response statuses (https://developer.withings.com/api-reference#section/Response-status), grouped by
 * what we do about them.
 */
const AUTHENTICATION_FAILED = new Set([100, 101, 102, 200, 401]);
const RATE_LIMITED = 601;
const INVALID_PARAMS = 503;
/** Timeouts (522), "unknown error" (2554, 2555) and other server-side faults: worth retrying. */
const TRANSIENT = new Set([522, 524, 2554, 2555]);

/** The `{status, body, error}` envelope every Withings answer comes in. */
export interface Envelope {
  status: number;
  body: unknown;
  error: string | null;
}

export class WithingsEnvelopeError extends Error {
  override name = "WithingsEnvelopeError";
}

export function readEnvelope(data: unknown): Envelope {
  if (typeof data !== "object" || data === null || typeof (data as { status?: unknown }).status !== "number") {
    throw new WithingsEnvelopeError("Withings answered without its {status, body} envelope");
  }
  const { status, body, error } = data as { status: number; body?: unknown; error?: unknown };
  return { status, body: body ?? null, error: typeof error === "string" ? error : null };
}

/**
 * The token endpoint's answer, unwrapped. Withings deviates from RFC 6749 §5.2 here: errors come as HTTP 200 with a
 * non-zero `status` (e.g. `{"status": 503, "error": "Invalid Params: invalid code"}`) instead of HTTP 400 with an
 * `error` code, so they are mapped onto the RFC's terms: a code or refresh token Withings no longer accepts, or
 * failed authentication, is `invalid_grant` (the person must reconnect); 601 is a rate limit; the rest may pass.
 */
export function unwrapTokenResponse(data: unknown): object {
  const envelope = readEnvelope(data);
  if (envelope.status === 0) {
    if (typeof envelope.body !== "object" || envelope.body === null) throw new WithingsEnvelopeError("Withings' token answer has no body");
    return envelope.body;
  }
  if (envelope.status === INVALID_PARAMS || AUTHENTICATION_FAILED.has(envelope.status)) {
    throw new OAuth2RequestError("invalid_grant", `Withings status ${envelope.status}`, null, null);
  }
  if (envelope.status === RATE_LIMITED) throw new ProviderUnavailableError("rate_limited", RATE_LIMITED, RATE_LIMIT_RETRY_SECONDS);
  throw new ProviderUnavailableError("server", envelope.status);
}

/**
 * A data call's answer, unwrapped. The same deviation as the token endpoint's: HTTP 200 whatever happened, the
 * outcome in `status`. An invalid token (401 inside the 200) means the grant is gone: the vault renews tokens
 * before they expire, so Withings refusing one is a revocation, not an expiry.
 */
export function unwrapDataResponse(data: unknown): unknown {
  const envelope = readEnvelope(data);
  if (envelope.status === 0) return envelope.body;
  if (AUTHENTICATION_FAILED.has(envelope.status)) throw new AccessRevokedError(`Withings refused the token (status ${envelope.status})`);
  if (envelope.status === RATE_LIMITED) throw new ProviderUnavailableError("rate_limited", RATE_LIMITED, RATE_LIMIT_RETRY_SECONDS);
  if (TRANSIENT.has(envelope.status) || envelope.status >= 2000) throw new ProviderUnavailableError("server", envelope.status);
  throw new ProviderRequestError(envelope.status);
}

/** One Withings call through the person's pull context: a form POST, the envelope unwrapped. */
export async function withingsCall(ctx: Pick<PullContext, "request">, endpoint: string, params: Record<string, string>): Promise<unknown> {
  const response = await ctx.request(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  const text = await response.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProviderUnavailableError("server", response.status);
  }
  return unwrapDataResponse(data);
}
