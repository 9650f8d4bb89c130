import type { AccessResult, VaultTarget } from "../../durable-objects/token-vault";
import type { SourceId } from "../domain/integration";
import { ProviderUnavailableError } from "../oauth/errors";
import { sandboxFetch } from "../platform/development";
import { createPullContext, type SubrequestBudget, type TokenSource } from "../sync/pull-context";
import type { PullContext } from "./types";

/** Which provider issued a connection's tokens: the real one, or the in-process development sandbox. */
export type ConnectionMode = "live" | "sandbox";

/** No provider call may hang a request, a queue job or the person's Durable Object: authorization and tokens. */
export const PROVIDER_TIMEOUT_MS = 10_000;
/** Data calls may page through larger answers. */
const DATA_TIMEOUT_MS = 15_000;

export interface ProviderFetchOptions {
  /** The fetch for live providers (tests put a peer or faults here); the global fetch by default. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The one place that decides where a provider call goes: the development sandbox for a sandbox connection, the
 * real provider (bounded by a timeout) otherwise. A call that brings its own signal keeps it.
 */
export function providerFetch(env: Env, mode: ConnectionMode, options: ProviderFetchOptions = {}): typeof fetch {
  if (mode === "sandbox") return sandboxFetch(env);
  const inner = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  return async (input, init) => {
    if (init?.signal) return inner(input, init);
    // A timer cleared as soon as the provider answers (AbortSignal.timeout's would keep a Durable Object busy,
    // and so awake, for the full timeout after every request).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("provider did not answer in time", "TimeoutError")), timeoutMs);
    try {
      return await inner(input, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** How a caller reaches the person's token vault (the UserHub's RPC, or the vault itself inside the object). */
export interface AccessTokens {
  /** `connection`: a source (its only connection) or a source and account (one of the person's health systems). */
  getAccessToken(userId: string, connection: VaultTarget, options?: { forceRefresh?: boolean }): Promise<AccessResult>;
}

/**
 * The token a provider call sends: the current one, and after a 401 exactly one forced refresh. A refresh that
 * could not happen just now is not a refusal: it is thrown as unavailable so the work is retried, rather than
 * the person being asked to reconnect.
 */
function tokenSource(tokens: AccessTokens, userId: string, connection: VaultTarget, accessToken: string): TokenSource {
  let token = accessToken;
  return {
    current: async () => token,
    afterUnauthorized: async () => {
      const refreshed = await tokens.getAccessToken(userId, connection, { forceRefresh: true });
      if (refreshed.ok) {
        token = refreshed.accessToken;
        return token;
      }
      if (refreshed.reason === "unavailable") throw new ProviderUnavailableError("server", null, refreshed.retryAfterSeconds);
      return null;
    },
  };
}

export interface ProviderCallsOptions extends ProviderFetchOptions {
  env: Env;
  userId: string;
  source: SourceId;
  /** Which of the person's accounts at the source (a health system); the source's only connection when absent. */
  account?: string;
  tokens: AccessTokens;
  budget: SubrequestBudget;
  externalUserId: string | null;
  now?: number;
}

export type ProviderCalls = { ok: true; ctx: PullContext; mode: ConnectionMode } | Extract<AccessResult, { ok: false }>;

/**
 * Everything a data call to a person's provider needs, made one way for the sync engine, the webhook consumer
 * and a live stream: their access token, the fetch for the connection's mode, the timeout, the subrequest
 * budget, and typed errors for 401 / 429 / 5xx (with the provider's Retry-After).
 */
export async function openProviderCalls(options: ProviderCallsOptions): Promise<ProviderCalls> {
  const connection: VaultTarget = options.account ? { source: options.source, account: options.account } : options.source;
  const access = await options.tokens.getAccessToken(options.userId, connection);
  if (!access.ok) return access;
  const ctx = createPullContext({
    env: options.env,
    fetch: providerFetch(options.env, access.mode, options.fetch ? { fetch: options.fetch } : {}),
    token: tokenSource(options.tokens, options.userId, connection, access.accessToken),
    budget: options.budget,
    externalUserId: options.externalUserId,
    tokenContext: access.context,
    timeoutMs: options.timeoutMs ?? DATA_TIMEOUT_MS,
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  return { ok: true, ctx, mode: access.mode };
}
