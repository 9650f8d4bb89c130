import { describe, expect, it } from "vitest";
import { ProviderUnavailableError } from "../../oauth/errors";
import { JunctionAuthError, JunctionClient, JunctionRequestError, junctionConfig } from "./api";

const env = (key: string, region = "") => ({ JUNCTION_API_KEY: key, JUNCTION_REGION: region }) as unknown as Env;

/** A stand-in for Junction answering each path with the given response; it records what it was asked. */
function junction(routes: Record<string, () => Response>) {
  const calls: { method: string; path: string; body: unknown; key: string | null }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    calls.push({ method: request.method, path: url.pathname, body: request.body ? await request.json() : null, key: request.headers.get("x-vital-api-key") });
    const route = routes[`${request.method} ${url.pathname}`];
    return route ? route() : new Response("not found", { status: 404 });
  };
  return { fetch, calls };
}

describe("junctionConfig", () => {
  it("reads the environment from the key's prefix and the region from JUNCTION_REGION", () => {
    expect(junctionConfig(env("sk_eu_x", "eu"), false)).toMatchObject({ baseUrl: "https://api.sandbox.eu.junction.com", mode: "live" });
    expect(junctionConfig(env("pk_us_x", "us"), false)).toMatchObject({ baseUrl: "https://api.us.junction.com", mode: "live" });
    expect(junctionConfig(env(""), false)).toBeNull();
    expect(junctionConfig(env(""), true)).toMatchObject({ mode: "sandbox" });
  });
});

describe("JunctionClient", () => {
  const config = junctionConfig(env("sk_us_test"), false)!;

  it("creates the person's user with client_user_id = our user id", async () => {
    const peer = junction({ "POST /v2/user": () => Response.json({ user_id: "j-1", client_user_id: "usr_1" }) });
    expect(await new JunctionClient(env("sk_us_test"), config, { fetch: peer.fetch }).createUser("usr_1")).toBe("j-1");
    expect(peer.calls).toEqual([{ method: "POST", path: "/v2/user", body: { client_user_id: "usr_1" }, key: "sk_us_test" }]);
  });

  it("resolves the existing user when Junction says it already exists", async () => {
    const peer = junction({
      "POST /v2/user": () => Response.json({ detail: "exists" }, { status: 400 }),
      "GET /v2/user/resolve/usr_1": () => Response.json({ user_id: "j-existing" }),
    });
    expect(await new JunctionClient(env("sk_us_test"), config, { fetch: peer.fetch }).createUser("usr_1")).toBe("j-existing");
  });

  it("asks for a sign-in token and a link token", async () => {
    const peer = junction({
      "POST /v2/user/j-1/sign_in_token": () => Response.json({ user_id: "j-1", sign_in_token: "token-for-sdk" }),
      "POST /v2/link/token": () => Response.json({ link_token: "lt", link_web_url: "https://link.junction.com/?token=lt" }),
    });
    const client = new JunctionClient(env("sk_us_test"), config, { fetch: peer.fetch });
    expect(await client.signInToken("j-1")).toEqual({ signInToken: "token-for-sdk" });
    expect(await client.linkToken("j-1", "whoop_v2", "https://app.example/back")).toEqual({
      linkToken: "lt",
      linkWebUrl: "https://link.junction.com/?token=lt",
    });
    expect(peer.calls[1]?.body).toEqual({ user_id: "j-1", provider: "whoop_v2", redirect_url: "https://app.example/back" });
  });

  it("turns Junction's 401, 429, 5xx and other 4xx into typed errors", async () => {
    const answer = (response: Response) => new JunctionClient(env("sk_us_test"), config, { fetch: async () => response }).signInToken("j-1");
    await expect(answer(new Response(null, { status: 401 }))).rejects.toBeInstanceOf(JunctionAuthError);
    await expect(answer(new Response(null, { status: 429, headers: { "Retry-After": "30" } }))).rejects.toMatchObject({
      reason: "rate_limited",
      retryAfterSeconds: 30,
    });
    await expect(answer(new Response(null, { status: 502 }))).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(answer(new Response(null, { status: 422 }))).rejects.toBeInstanceOf(JunctionRequestError);
    await expect(
      new JunctionClient(env("sk_us_test"), config, { fetch: async () => Promise.reject(new TypeError("network")) }).signInToken("j-1"),
    ).rejects.toMatchObject({
      reason: "network",
    });
  });
});
