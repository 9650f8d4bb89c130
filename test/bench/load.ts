// The load generator, run as its own process so it does not share an event loop with the server under test.
// Usage: node test/bench/load.ts <url> <concurrency> <durationMs> [option | header: value]...
//   --method=POST        request method (default GET)
//   --body=<text>        the same request body every time
//   --sign=whoop         a fresh, signed WHOOP webhook delivery per request (body and signature headers), signed
//                        here with the secret in the BENCH_WHOOP_SECRET environment variable
// Prints one JSON line: requests, errors (anything but 200), accepted (2xx), the count per status, requests/s,
// p50/p99 latency (ms) and the last response's size in bytes.
import { signedWhoopDelivery } from "./whoop-delivery.ts";

const [url, concurrencyArg, durationArg, ...rest] = process.argv.slice(2);
if (!url || !concurrencyArg || !durationArg)
  throw new Error("usage: load.ts <url> <concurrency> <durationMs> [--method=M] [--body=B] [--sign=whoop] [header: value]...");
const options = new Map(
  rest
    .filter((arg) => arg.startsWith("--"))
    .map((arg) => [arg.slice(2, arg.includes("=") ? arg.indexOf("=") : undefined), arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : ""]),
);
const headerArgs = rest.filter((arg) => !arg.startsWith("--"));
const headers = Object.fromEntries(headerArgs.map((h) => [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 1).trim()]));
const method = options.get("method") ?? "GET";
const fixedBody = options.get("body");
const sign = options.get("sign");
if (sign !== undefined && sign !== "whoop") throw new Error(`unknown --sign=${sign}`);
const whoopSecret = process.env.BENCH_WHOOP_SECRET;
if (sign === "whoop" && !whoopSecret) throw new Error("--sign=whoop needs BENCH_WHOOP_SECRET");
const concurrency = Number(concurrencyArg);
const durationMs = Number(durationArg);

/** Each request is built when it is sent, so a signed delivery's timestamp is current. */
function nextRequest(): RequestInit {
  if (sign === "whoop") {
    const delivery = signedWhoopDelivery(whoopSecret!);
    return { method, headers: { ...headers, ...delivery.headers }, body: delivery.body, redirect: "manual" };
  }
  return { method, headers, body: fixedBody, redirect: "manual" };
}

const latencies: number[] = [];
const statuses: Record<string, number> = {};
let errors = 0;
let accepted = 0;
let bytes = 0;
const deadline = performance.now() + durationMs;

async function worker() {
  while (performance.now() < deadline) {
    const init = nextRequest();
    const started = performance.now();
    try {
      const response = await fetch(url!, init);
      const body = await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status !== 200) errors++;
      if (response.status >= 200 && response.status < 300) accepted++;
      bytes = body.byteLength;
    } catch {
      statuses.network = (statuses.network ?? 0) + 1;
      errors++;
    }
    latencies.push(performance.now() - started);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(JSON.stringify({ requests: latencies.length, errors, accepted, statuses, rps: latencies.length / elapsed, p50: pct(50), p99: pct(99), bytes }));
