import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_AFTER_SECONDS, MAX_RETRY_AFTER_SECONDS, requestedRetryDelay, retryAfterSeconds } from "./retry-after";

const NOW = Date.UTC(2026, 9, 21, 7, 28, 0);

describe("Retry-After", () => {
  it("waits the default, never 0 s, when the header is missing or empty", () => {
    expect(retryAfterSeconds(null, { now: NOW })).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds(undefined, { now: NOW })).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds("  ", { now: NOW })).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(DEFAULT_RETRY_AFTER_SECONDS).toBeGreaterThan(0);
  });

  it("reads delta-seconds", () => {
    expect(retryAfterSeconds("120", { now: NOW })).toBe(120);
    expect(retryAfterSeconds(" 7 ", { now: NOW })).toBe(7);
  });

  it("reads an HTTP-date, rounding up to whole seconds", () => {
    expect(retryAfterSeconds("Wed, 21 Oct 2026 07:30:00 GMT", { now: NOW })).toBe(120);
    expect(retryAfterSeconds("Wed, 21 Oct 2026 07:28:01 GMT", { now: NOW - 500 })).toBe(2);
  });

  it("retries a date already past after a second, not at once", () => {
    expect(retryAfterSeconds("Wed, 21 Oct 2026 07:00:00 GMT", { now: NOW })).toBe(1);
    expect(retryAfterSeconds("0", { now: NOW })).toBe(1);
  });

  it("falls back on garbage, negative or fractional values, and caps what a queue can delay", () => {
    for (const garbage of ["soon", "-5", "1.5", "12abc", "Thursday-ish"])
      expect(retryAfterSeconds(garbage, { now: NOW }), garbage).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds("later", { now: NOW, fallbackSeconds: 30 })).toBe(30);
    expect(retryAfterSeconds("999999999", { now: NOW })).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it("leaves a refusal without Retry-After to the caller's exponential backoff, and reads one that is there", () => {
    expect(requestedRetryDelay(new Response(null, { status: 429 }), NOW)).toBeNull();
    expect(requestedRetryDelay(new Response(null, { status: 429, headers: { "Retry-After": "garbage" } }), NOW)).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(requestedRetryDelay(new Response(null, { status: 429, headers: { "Retry-After": "30" } }), NOW)).toBe(30);
    expect(requestedRetryDelay(new Response(null, { status: 503 }), NOW)).toBeNull();
    expect(requestedRetryDelay(new Response(null, { status: 503, headers: { "Retry-After": "Wed, 21 Oct 2026 07:29:00 GMT" } }), NOW)).toBe(60);
  });
});
