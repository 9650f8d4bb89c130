/** How long to wait when a provider asks us to slow down without saying for how long, or says it unreadably. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
/** Never retry sooner than this: a Retry-After of 0 or a date already past would otherwise make a hot loop. */
const MIN_RETRY_AFTER_SECONDS = 1;
/** Queues accept a delay of at most 12 hours; a provider asking for longer is retried then. */
export const MAX_RETRY_AFTER_SECONDS = 12 * 60 * 60;

export interface RetryAfterOptions {
  now?: number;
  /** Used when the header is missing or unreadable; DEFAULT_RETRY_AFTER_SECONDS unless given. */
  fallbackSeconds?: number;
}

const clamp = (seconds: number) => Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, seconds));

/**
 * Retry-After as seconds to wait, from either form RFC 9110 §10.2.3 allows: delta-seconds ("120") or an
 * HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT"). The one parser for every provider call and token request.
 */
export function retryAfterSeconds(header: string | null | undefined, options: RetryAfterOptions = {}): number {
  const fallback = clamp(options.fallbackSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  const value = header?.trim();
  if (!value) return fallback;
  if (/^\d+$/.test(value)) return clamp(Number(value));
  // Only a date with letters in it: Date.parse also reads bare numbers such as "1.5" or "-3" as dates.
  if (!/[a-z]/i.test(value)) return fallback;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return fallback;
  return clamp(Math.ceil((date - (options.now ?? Date.now())) / 1000));
}

/**
 * The delay a refusing response (429, 5xx) asks for, or null when it sent no Retry-After: then the caller's own
 * exponential backoff applies (the queue's 30 s, 60 s, 120 s …; the live stream's 5, 10, 20, 30 minutes), which
 * is the better default than any fixed wait, and never 0 s. A header that is there but unreadable waits
 * DEFAULT_RETRY_AFTER_SECONDS.
 */
export function requestedRetryDelay(response: Response, now = Date.now()): number | null {
  const header = response.headers.get("Retry-After");
  return header === null ? null : retryAfterSeconds(header, { now });
}
