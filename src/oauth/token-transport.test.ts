import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_AFTER_SECONDS } from "../providers/retry-after";
import { ProviderUnavailableError } from "./errors";
import { requestTokens } from "./token-transport";

const answering =
  (response: () => Response): typeof fetch =>
  async () =>
    response();

async function refusal(response: () => Response): Promise<ProviderUnavailableError> {
  const error = await requestTokens({
    endpoint: "https://provider.example/oauth/token",
    params: { grant_type: "refresh_token", refresh_token: "test-refresh" },
    credentials: { clientId: "test-client", clientSecret: "test-secret" },
    clientAuthentication: "basic",
    fetch: answering(response),
  }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProviderUnavailableError);
  return error as ProviderUnavailableError;
}

describe("token requests the provider refuses for now", () => {
  it("leaves a 429 without Retry-After to the caller's backoff instead of asking for 0 s", async () => {
    const error = await refusal(() => Response.json({ message: "slow down" }, { status: 429 }));
    // null, not Number(null) = 0: the sync and webhook consumers then wait backoffSeconds(attempt) (30 s, 60 s …).
    expect(error).toMatchObject({ reason: "rate_limited", status: 429, retryAfterSeconds: null });
  });

  it("waits the default when a 429's Retry-After is unreadable", async () => {
    const error = await refusal(() => new Response(null, { status: 429, headers: { "Retry-After": "in a bit" } }));
    expect(error.retryAfterSeconds).toBe(DEFAULT_RETRY_AFTER_SECONDS);
  });

  it("waits what a 429 asks for, in seconds or as an HTTP-date", async () => {
    expect((await refusal(() => new Response(null, { status: 429, headers: { "Retry-After": "42" } }))).retryAfterSeconds).toBe(42);
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const dated = (await refusal(() => new Response(null, { status: 429, headers: { "Retry-After": inTwoMinutes } }))).retryAfterSeconds;
    expect(dated).toBeGreaterThanOrEqual(119);
    expect(dated).toBeLessThanOrEqual(120);
  });

  it("leaves a 5xx without Retry-After to the caller's exponential backoff", async () => {
    expect(await refusal(() => new Response("down", { status: 503 }))).toMatchObject({ reason: "server", status: 503, retryAfterSeconds: null });
  });
});
