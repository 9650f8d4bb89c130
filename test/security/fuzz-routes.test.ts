import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { expect, it } from "vitest";
import worker from "../../src/development/index";
import { buildRequest, FUZZ_GARMIN_TOKEN, type FuzzRequestSpec, fuzzRequest, tally } from "../fuzz/requests";
import { ORIGIN, recordingQueue, signIn } from "../helpers";

// Issue 12's fuzz pass: random methods, paths, queries, bodies and headers over every route of the development
// entry (the production Worker plus /dev and /sandbox), inside workerd with real local D1 and Durable Objects.
// Queues record instead of delivering, so no consumer runs in the background. No request may be answered 500.
// A fixed seed makes a failure reproducible; `npm run bench:fuzz` runs more, with a seed of its choosing.
const RUNS = 2_000;
const SEED = 20261129;

it(`answers ${RUNS} random requests over every route without a 500`, { timeout: 300_000 }, async () => {
  const session = await signIn();
  const context = { origin: ORIGIN, cookie: session.cookie, csrfToken: session.csrfToken, bearer: env.SERVICE_API_TOKEN };
  const bindings = {
    ...env,
    // Webhook secrets, so signed-in-looking webhook requests reach parsing; queues that only record.
    GARMIN_WEBHOOK_SECRET: FUZZ_GARMIN_TOKEN,
    // Google sends its secret as the whole Authorization header: the requests with a bearer token carry it.
    GOOGLE_HEALTH_WEBHOOK_SECRET: `Bearer ${env.SERVICE_API_TOKEN}`,
    WEBHOOK_QUEUE: recordingQueue(),
    SYNC_QUEUE: recordingQueue(),
    RECEIPTS_QUEUE: recordingQueue(),
  };
  const specs = fc.sample(fuzzRequest, { numRuns: RUNS, seed: SEED });
  const statuses: number[] = [];
  const failures: { spec: FuzzRequestSpec; status: number; body: string }[] = [];
  for (const spec of specs) {
    const ctx = createExecutionContext();
    const response = await worker.fetch!(buildRequest(spec, context) as Request<unknown, IncomingRequestCfProperties>, bindings, ctx);
    const text = await response.text();
    await waitOnExecutionContext(ctx);
    statuses.push(response.status);
    if (response.status === 500) failures.push({ spec, status: response.status, body: text.slice(0, 300) });
  }
  console.log(JSON.stringify({ event: "fuzz_totals", runs: RUNS, seed: SEED, statuses: tally(statuses) }));
  expect(failures).toEqual([]);
  // The pass reached the handlers, not only the front door.
  expect(new Set(statuses).size).toBeGreaterThan(5);
});
