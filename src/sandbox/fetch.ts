import type { SourceId } from "../domain/integration";
import { provider } from "../providers/registry";
import { SANDBOXES, SHARED_SANDBOX_HOSTS } from "./registry";
import { handleSandboxTokenRequest } from "./token-endpoint";
import type { ProviderSandbox } from "./types";

interface SandboxIndex {
  tokenEndpoints: Map<string, SourceId[]>;
  apis: Map<string, ProviderSandbox["api"]>;
}

const indexes = new WeakMap<object, SandboxIndex>();

function index(env: Env): SandboxIndex {
  let built = indexes.get(env);
  if (built) return built;
  built = { tokenEndpoints: new Map(), apis: new Map() };
  for (const sandbox of SANDBOXES.values()) {
    const auth = provider(sandbox.source).auth;
    const tokenUrls = sandbox.tokenEndpoints?.(env) ?? (auth.kind === "oauth2" ? [auth.endpoints(env).token] : []);
    for (const tokenUrl of tokenUrls) {
      const key = new URL(tokenUrl).href;
      built.tokenEndpoints.set(key, [...(built.tokenEndpoints.get(key) ?? []), sandbox.source]);
    }
    for (const host of sandbox.hosts) built.apis.set(host, sandbox.api);
  }
  for (const [host, api] of SHARED_SANDBOX_HOSTS) built.apis.set(host, api);
  indexes.set(env, built);
  return built;
}

/**
 * A `fetch` that answers provider URLs from the in-process sandboxes instead of the network. Adapters keep their
 * real URLs; only this function knows the sandbox exists. A URL no sandbox answers for is an error, not a
 * request to the internet.
 */
export function createSandboxFetch(env: Env): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const { tokenEndpoints, apis } = index(env);
    const tokenSources = tokenEndpoints.get(`${url.origin}${url.pathname}`);
    if (tokenSources && request.method === "POST") {
      const answer = (tokenRequest: Request) => handleSandboxTokenRequest(tokenRequest, env, SANDBOXES, tokenSources);
      const wrap = tokenSources.length === 1 ? SANDBOXES.get(tokenSources[0]!)?.wrapTokenEndpoint : undefined;
      return wrap ? wrap(request, answer) : answer(request);
    }
    const api = apis.get(url.host);
    if (!api) throw new Error(`the sandbox has no provider at ${url.host}`);
    return api.fetch(request, env);
  };
}
