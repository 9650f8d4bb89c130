import { env } from "cloudflare:test";
import { expect, it } from "vitest";

// Item 2 of issue 12: traces record request URLs, and ours carry OAuth codes and states, Garmin's push token and
// Oura's verification token in the query string. `invocation_logs = false` does not cover traces; wrangler 4.156's
// `observability.redact_query_string` drops query strings from URLs in logs and traces. Every configuration.
it.each(["production", "development"] as const)("%s redacts query strings from traces and has no invocation logs", (name) => {
  const observability = env.TEST_WRANGLER_ENVIRONMENTS[name].observability;
  expect(observability?.enabled).toBe(true);
  expect(observability?.redact_query_string).toBe(true);
  expect(observability?.logs?.invocation_logs).toBe(false);
});
