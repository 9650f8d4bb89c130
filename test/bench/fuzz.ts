// npm run bench:fuzz: issue 12's fuzz pass against a running Worker (`wrangler dev`, local D1, its own queue
// consumers), over HTTP: random methods, paths, bodies and headers over every route (test/fuzz/requests.ts),
// printing the status-code totals. Exits 1 if any request is answered 500. FUZZ_RUNS (default 3000), FUZZ_SEED.
import fc from "fast-check";
import { startDevServer } from "../e2e/dev-server.ts";
import { buildRequest, FUZZ_GARMIN_TOKEN, fuzzRequest, tally } from "../fuzz/requests.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const CONCURRENCY = 4;
/** The service API token test/e2e/dev-server.ts gives `wrangler dev`. */
const SERVICE_TOKEN = "e2e-service-token";

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

const server = await startDevServer({ extraEnv: [`GARMIN_WEBHOOK_SECRET=${FUZZ_GARMIN_TOKEN}`, `GOOGLE_HEALTH_WEBHOOK_SECRET=Bearer ${SERVICE_TOKEN}`] });
try {
  const base = server.baseUrl;
  const email = `fuzz-${SEED}@example.test`;
  const signIn = await fetch(`${base}/dev/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ email, next: "/settings" }),
    redirect: "manual",
  });
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
  const page = await (await fetch(`${base}/settings`, { headers: { Cookie: cookie } })).text();
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrfToken) throw new Error("could not sign in for the fuzz run");
  const context = { origin: base, cookie, csrfToken, bearer: SERVICE_TOKEN };

  const specs = fc.sample(fuzzRequest, { numRuns: RUNS, seed: SEED });
  const statuses: number[] = [];
  const refusedByClient: string[] = [];
  const errors: string[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < specs.length) {
        const spec = specs[next++]!;
        let request: Request;
        try {
          request = buildRequest(spec, context);
        } catch (error) {
          refusedByClient.push(String(error));
          continue;
        }
        try {
          const response = await fetch(request);
          await response.arrayBuffer();
          statuses.push(response.status);
          if (response.status === 500) errors.push(`${spec.method} ${spec.path}`);
        } catch (error) {
          // Node's fetch refuses some header combinations (e.g. Upgrade) before sending: not the Worker's answer.
          refusedByClient.push(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nfuzz: ${statuses.length} requests answered by wrangler dev in ${seconds.toFixed(1)} s (seed ${SEED}, ${CONCURRENCY} at a time)`);
  console.log(`status totals: ${JSON.stringify(tally(statuses))}`);
  if (refusedByClient.length > 0) {
    // e.g. "invalid upgrade header": Node's fetch will not send `Upgrade` (the workerd test does).
    console.log(`not sent (refused by Node's fetch before sending): ${refusedByClient.length} ${JSON.stringify(countBy(refusedByClient))}`);
  }
  const serverErrors = server.output().match(/"event":"unhandled_error"[^}]*}/g) ?? [];
  console.log(`500 responses: ${errors.length}; unhandled_error log lines: ${serverErrors.length}`);
  for (const line of [...errors, ...serverErrors].slice(0, 20)) console.log(`  ${line}`);
  if (errors.length > 0) process.exitCode = 1;
} finally {
  await server.stop();
}
