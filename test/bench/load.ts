// The load generator, run as its own process so it does not share an event loop with the server under test.
// Usage: node test/bench/load.ts <url> <concurrency> <durationMs> [header: value]...
// Prints one JSON line: requests, errors, requests/s, p50/p99 latency (ms) and response bytes.
const [url, concurrencyArg, durationArg, ...headerArgs] = process.argv.slice(2);
if (!url || !concurrencyArg || !durationArg) throw new Error("usage: load.ts <url> <concurrency> <durationMs> [header: value]...");
const headers = Object.fromEntries(headerArgs.map((h) => [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 1).trim()]));
const concurrency = Number(concurrencyArg);
const durationMs = Number(durationArg);

const latencies: number[] = [];
let errors = 0;
let bytes = 0;
const deadline = performance.now() + durationMs;

async function worker() {
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(url!, { headers, redirect: "manual" });
      const body = await response.arrayBuffer();
      if (response.status !== 200) errors++;
      bytes = body.byteLength;
    } catch {
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
console.log(JSON.stringify({ requests: latencies.length, errors, rps: latencies.length / elapsed, p50: pct(50), p99: pct(99), bytes }));
