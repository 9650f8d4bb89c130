import { ProviderUnavailableError } from "../../oauth/errors";
import { type ConnectionMode, providerFetch } from "../calls";
import { requestedRetryDelay } from "../retry-after";

// Junction's REST API (https://docs.junction.com/api-details/junction-api): one team API key in `X-Vital-API-Key`,
// no per-person tokens. The key's prefix says its environment: `sk_` sandbox, `pk_` production.
const BASE_URLS = {
  production: { us: "https://api.us.junction.com", eu: "https://api.eu.junction.com" },
  sandbox: { us: "https://api.sandbox.us.junction.com", eu: "https://api.sandbox.eu.junction.com" },
} as const;

const CREATE_USER = "/v2/user";
const RESOLVE_USER = (clientUserId: string) => `/v2/user/resolve/${encodeURIComponent(clientUserId)}`;
const SIGN_IN_TOKEN = (userId: string) => `/v2/user/${encodeURIComponent(userId)}/sign_in_token`;
const DEREGISTER = (userId: string, slug: string) => `/v2/user/${encodeURIComponent(userId)}/${encodeURIComponent(slug)}`;
const LINK_TOKEN = "/v2/link/token";
const SUMMARY = (resource: string, userId: string) => `/v2/summary/${resource}/${encodeURIComponent(userId)}`;
const TIMESERIES = (userId: string, resource: string) => `/v2/timeseries/${encodeURIComponent(userId)}/${resource}`;

/** Junction refused our team key (401/403): a configuration fault, not the person's; retrying cannot help. */
export class JunctionAuthError extends Error {
  override name = "JunctionAuthError";
  constructor(readonly status: number) {
    super(`Junction refused the API key (${status})`);
  }
}

/** Any other 4xx: the request itself is wrong (e.g. a user id Junction does not know). */
export class JunctionRequestError extends Error {
  override name = "JunctionRequestError";
  constructor(readonly status: number) {
    super(`Junction answered ${status}`);
  }
}

export interface JunctionConfig {
  apiKey: string;
  baseUrl: string;
  /** `sandbox` when no key is configured (development): calls go to the in-process stand-in. */
  mode: ConnectionMode;
}

/** Where Junction is for this deployment; null when it is not configured and there is no development sandbox. */
export function junctionConfig(env: Env, hasSandbox: boolean): JunctionConfig | null {
  const apiKey = env.JUNCTION_API_KEY?.trim() ?? "";
  const region = env.JUNCTION_REGION === "eu" ? "eu" : "us";
  if (!apiKey) return hasSandbox ? { apiKey: "sandbox", baseUrl: BASE_URLS.sandbox[region], mode: "sandbox" } : null;
  const environment = apiKey.startsWith("sk_") ? "sandbox" : "production";
  return { apiKey, baseUrl: BASE_URLS[environment][region], mode: "live" };
}

export interface JunctionClientOptions {
  /** The fetch for live calls (tests put a peer or faults here). */
  fetch?: typeof fetch;
}

/** A small typed client for the calls we make; every call goes through providerFetch (timeout, sandbox routing). */
export class JunctionClient {
  private readonly fetch: typeof fetch;

  constructor(
    env: Env,
    private readonly config: JunctionConfig,
    options: JunctionClientOptions = {},
  ) {
    this.fetch = providerFetch(env, config.mode, options.fetch ? { fetch: options.fetch } : {});
  }

  /** `POST /v2/user`: creates the person's Junction user; `client_user_id` is our user id. */
  async createUser(clientUserId: string): Promise<string> {
    const response = await this.call(CREATE_USER, { method: "POST", body: { client_user_id: clientUserId } }, [400]);
    // Junction answers 400 when a user with this client_user_id already exists (a create that died before we stored
    // the id): resolve it instead of making a second one.
    if (response.status === 400) return this.resolveUser(clientUserId);
    return userIdFrom(await response.json());
  }

  /** `GET /v2/user/resolve/{client_user_id}`. */
  async resolveUser(clientUserId: string): Promise<string> {
    const response = await this.call(RESOLVE_USER(clientUserId), { method: "GET" });
    return userIdFrom(await response.json());
  }

  /** `POST /v2/user/{user_id}/sign_in_token`: the short-lived token the mobile SDK signs in with. */
  async signInToken(userId: string): Promise<{ signInToken: string }> {
    const response = await this.call(SIGN_IN_TOKEN(userId), { method: "POST" });
    const body = (await response.json()) as { sign_in_token?: unknown };
    if (typeof body.sign_in_token !== "string" || !body.sign_in_token) throw new JunctionRequestError(502);
    return { signInToken: body.sign_in_token };
  }

  /** `POST /v2/link/token`: a one-time Link token (10 minutes) and the hosted page to send the person to. */
  async linkToken(userId: string, slug: string, redirectUrl: string): Promise<{ linkToken: string; linkWebUrl: string }> {
    const response = await this.call(LINK_TOKEN, { method: "POST", body: { user_id: userId, provider: slug, redirect_url: redirectUrl } });
    const body = (await response.json()) as { link_token?: unknown; link_web_url?: unknown };
    if (typeof body.link_token !== "string" || typeof body.link_web_url !== "string") throw new JunctionRequestError(502);
    return { linkToken: body.link_token, linkWebUrl: body.link_web_url };
  }

  /** `DELETE /v2/user/{user_id}/{provider}`: stop Junction pulling this source for the person. 404: already gone. */
  async deregister(userId: string, slug: string): Promise<void> {
    await this.call(DEREGISTER(userId, slug), { method: "DELETE" }, [404]);
  }

  /** `GET /v2/summary/{resource}/{user_id}`: sleep, activity, workouts, body. */
  async summary(resource: string, userId: string, window: DateWindow, provider: string): Promise<unknown> {
    const response = await this.call(`${SUMMARY(resource, userId)}?${windowQuery(window, provider)}`, { method: "GET" });
    return response.json();
  }

  /** `GET /v2/timeseries/{user_id}/{resource}`: heartrate, hrv, glucose. */
  async timeseries(resource: string, userId: string, window: DateWindow, provider: string): Promise<unknown> {
    const response = await this.call(`${TIMESERIES(userId, resource)}?${windowQuery(window, provider)}`, { method: "GET" });
    return response.json();
  }

  private async call(path: string, init: { method: string; body?: unknown }, allowed: readonly number[] = []): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(`${this.config.baseUrl}${path}`, {
        method: init.method,
        headers: {
          accept: "application/json",
          "x-vital-api-key": this.config.apiKey,
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (error) {
      throw new ProviderUnavailableError(error instanceof DOMException && error.name === "TimeoutError" ? "timeout" : "network");
    }
    if (response.ok || allowed.includes(response.status)) return response;
    await response.body?.cancel();
    if (response.status === 429) throw new ProviderUnavailableError("rate_limited", 429, requestedRetryDelay(response));
    if (response.status >= 500) throw new ProviderUnavailableError("server", response.status, requestedRetryDelay(response));
    if (response.status === 401 || response.status === 403) throw new JunctionAuthError(response.status);
    throw new JunctionRequestError(response.status);
  }
}

/** Junction's data endpoints take calendar dates (`YYYY-MM-DD`), both ends inclusive. */
export interface DateWindow {
  start: string;
  end: string;
}

/** `provider` narrows the answer to the one source the event was about (a person may have several through Junction). */
function windowQuery(window: DateWindow, provider: string): string {
  return new URLSearchParams({ start_date: window.start, end_date: window.end, provider }).toString();
}

function userIdFrom(body: unknown): string {
  const id = (body as { user_id?: unknown } | null)?.user_id;
  if (typeof id !== "string" || !id) throw new JunctionRequestError(502);
  return id;
}
