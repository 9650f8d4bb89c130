import { describe, expect, it } from "vitest";
import { OAuth2RequestError, ProviderUnavailableError } from "../../oauth/errors";
import { AccessRevokedError, ProviderRequestError } from "../../sync/pull-context";
import { unwrapDataResponse, unwrapTokenResponse, WithingsEnvelopeError } from "./api";
import invalidToken from "./fixtures/status-401-invalid-token.json";
import invalidCode from "./fixtures/status-503-invalid-code.json";

describe("Withings' {status, body} envelope: errors inside HTTP 200", () => {
  it("token endpoint: status 0 is the RFC 6749 body inside", () => {
    const body = { userid: "363", access_token: "a", refresh_token: "r", expires_in: 10800, scope: "user.metrics", token_type: "Bearer" };
    expect(unwrapTokenResponse({ status: 0, body })).toEqual(body);
  });

  it("token endpoint: a spent code (fixture, status 503) and failed authentication are invalid_grant", () => {
    for (const answer of [invalidCode, { status: 401, body: {}, error: "invalid_token" }, { status: 100, body: {} }]) {
      let thrown: unknown;
      try {
        unwrapTokenResponse(answer);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(answer)).toBeInstanceOf(OAuth2RequestError);
      expect((thrown as OAuth2RequestError).code).toBe("invalid_grant");
    }
  });

  it("token endpoint: 601 is a rate limit with a minute's wait; an unknown error may pass", () => {
    expect(() => unwrapTokenResponse({ status: 601, body: {} })).toThrow(expect.objectContaining({ reason: "rate_limited", retryAfterSeconds: 60 }));
    expect(() => unwrapTokenResponse({ status: 2555, body: {} })).toThrow(ProviderUnavailableError);
    expect(() => unwrapTokenResponse({ access_token: "not in an envelope" })).toThrow(WithingsEnvelopeError);
  });

  it("data calls: an invalid token (fixture) revokes, 601 backs off, invalid params fail the sync, unknown errors retry", () => {
    expect(unwrapDataResponse({ status: 0, body: { measuregrps: [] } })).toEqual({ measuregrps: [] });
    expect(() => unwrapDataResponse(invalidToken)).toThrow(AccessRevokedError);
    expect(() => unwrapDataResponse({ status: 601, body: {} })).toThrow(expect.objectContaining({ reason: "rate_limited" }));
    expect(() => unwrapDataResponse({ status: 503, body: {}, error: "Invalid Params" })).toThrow(ProviderRequestError);
    expect(() => unwrapDataResponse({ status: 2554, body: {} })).toThrow(ProviderUnavailableError);
    expect(() => unwrapDataResponse({ status: 522, body: {} })).toThrow(ProviderUnavailableError);
  });
});
