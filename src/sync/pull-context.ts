import { ProviderUnavailableError } from "../oauth/errors";
import { requestedRetryDelay } from "../providers/retry-after";
import type { PullContext } from "../providers/types";

/** The provider says the person's access is gone (401 even after one refresh): reconnect needed. */
export class AccessRevokedError extends Error {
  override name = "AccessRevokedError";
}

/** A 4xx that retrying will not fix (e.g. 403 missing scope, 400 bad window); the sync fails with this reason. */
export class ProviderRequestError extends Error {
  override name = "ProviderRequestError";
  constructor(readonly status: number) {
    super(`provider answered ${status}`);
  }
}

/**
 * The provider no longer knows the stored resume point (Gmail: history.list answers 404 for a historyId that is too
 * old): the engine forgets it and re-reads the last `rescanDays` through the backfill path.
 */
export class ProviderStateExpiredError extends Error {
  override name = "ProviderStateExpiredError";
  constructor(readonly rescanDays: number) {
    super(`the provider's resume point expired; rescanning ${rescanDays} days`);
  }
}

/**
 * The provider answered with something the pull must not use or follow (not the documented shape, a paging link
 * to another host): the job fails with this message, in words, and retrying would not change the answer.
 */
export class UnusableResponseError extends Error {
  override name = "UnusableResponseError";
}

/**
 * Part of the person's data was refused (a permission they did not grant): the rest was pulled and stored, and
 * the message says, in words, which data was not shared.
 */
export class DataNotSharedError extends Error {
  override name = "DataNotSharedError";
}

/** This invocation has used the subrequests it may; the job must be split smaller. */
export class SubrequestBudgetError extends Error {
  override name = "SubrequestBudgetError";
}

/** Counts provider requests against the per-invocation subrequest limit (50 on the free plan). */
export class SubrequestBudget {
  used = 0;
  constructor(readonly limit: number) {}
  take(): void {
    if (this.used >= this.limit) throw new SubrequestBudgetError(`subrequest budget of ${this.limit} used up`);
    this.used++;
  }
}

export interface TokenSource {
  /** The current access token. */
  current(): Promise<string>;
  /** Called once after a 401: a refreshed token, or null when the grant is gone. */
  afterUnauthorized(): Promise<string | null>;
}

export interface PullContextOptions {
  env: Env;
  fetch: typeof fetch;
  token: TokenSource;
  budget: SubrequestBudget;
  externalUserId: string | null;
  tokenContext?: Record<string, string>;
  now?: number;
  timeoutMs?: number;
}

export function createPullContext(options: PullContextOptions): PullContext {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const send = async (url: string | URL, init: RequestInit, token: string): Promise<Response> => {
    options.budget.take();
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${token}`);
    if (!headers.has("Accept")) headers.set("Accept", "application/json");
    // A timer cleared as soon as the provider answers (AbortSignal.timeout's would keep a Durable Object busy,
    // and so awake, for the full timeout after every request).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("provider did not answer in time", "TimeoutError")), timeoutMs);
    try {
      return await options.fetch(url, { ...init, headers, signal: controller.signal });
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new ProviderUnavailableError(timedOut ? "timeout" : "network");
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    env: options.env,
    externalUserId: options.externalUserId,
    tokenContext: options.tokenContext ?? {},
    now: options.now ?? Date.now(),
    async request(url, init = {}) {
      let response = await send(url, init, await options.token.current());
      if (response.status === 401) {
        await response.body?.cancel();
        const refreshed = await options.token.afterUnauthorized();
        if (!refreshed) throw new AccessRevokedError("provider refused the token after a refresh");
        response = await send(url, init, refreshed);
        if (response.status === 401) {
          await response.body?.cancel();
          throw new AccessRevokedError("provider refused a freshly refreshed token");
        }
      }
      if (response.ok) return response;
      await response.body?.cancel();
      if (response.status === 429) throw new ProviderUnavailableError("rate_limited", 429, requestedRetryDelay(response));
      if (response.status >= 500 || response.status === 408) throw new ProviderUnavailableError("server", response.status, requestedRetryDelay(response));
      throw new ProviderRequestError(response.status);
    },
  };
}
