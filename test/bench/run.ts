// npm run bench: the settings page against the bare /healthz route of the same running Worker (`wrangler dev`,
// local D1), under concurrent load from a second process on loopback. Prints both and their ratio.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { startDevServer } from "../e2e/dev-server.ts";

const root = join(import.meta.dirname, "..", "..");
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
}

function load(url: string, headers: string[], durationMs = DURATION_MS): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "load.ts"), url, String(CONCURRENCY), String(durationMs), ...headers], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startDevServer();
try {
  const email = "bench@wellness-os.test";
  const signIn = await fetch(`${server.baseUrl}/dev/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.baseUrl },
    body: new URLSearchParams({ email, name: "Bench", next: "/settings" }),
    redirect: "manual",
  });
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
  // A realistic page: five sources connected, two of them needing attention.
  const userId = `usr_${createHash("sha256").update(`dev:${email}`).digest("hex").slice(0, 32)}`;
  const now = Date.now();
  const rows = [
    ["oura", "connected", null],
    ["whoop", "connected", null],
    ["dexcom", "connected", null],
    ["fitbit", "needs_reauth", "Google stopped accepting our access. Reconnect to resume."],
    ["epic", "error", "MyChart did not answer for 6 hours."],
  ]
    .map(([source, status, reason]) => `('bench_${source}','${userId}','${source}','${status}',${reason ? `'${reason}'` : "NULL"},'sandbox',${now},${now - 600000},${now})`)
    .join(",");
  execFileSync(join(root, "node_modules", ".bin", "wrangler"), ["d1", "execute", "DB", "--local", "--persist-to", server.statePath, "--command",
    `INSERT OR REPLACE INTO integration_connections (id,user_id,source_id,status,status_reason,mode,connected_at,last_sync_at,updated_at) VALUES ${rows};`], { cwd: root, stdio: "pipe", env: { ...process.env, CI: "true" } });

  const page = await fetch(`${server.baseUrl}/settings`, { headers: { Cookie: cookie } });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('id="card-oura"')) throw new Error(`settings page answered ${page.status}`);

  console.log(`Warming up (${CONCURRENCY} concurrent connections)…`);
  await load(`${server.baseUrl}/healthz`, [], 2000);
  await load(`${server.baseUrl}/settings`, [`Cookie: ${cookie}`], 2000);

  const bare: LoadResult[] = [];
  const settings: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await load(`${server.baseUrl}/healthz`, []));
    settings.push(await load(`${server.baseUrl}/settings`, [`Cookie: ${cookie}`]));
  }
  const summary = (runs: LoadResult[]) => ({
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
  });
  const b = summary(bare);
  const s = summary(settings);
  const htmlBytes = Buffer.byteLength(html);
  const fmt = (n: number) => n.toFixed(2).padStart(9);
  console.log(`\nwrangler dev (workerd, local D1), ${CONCURRENCY} concurrent, ${ROUNDS} rounds × ${DURATION_MS / 1000}s, medians:`);
  console.log(`route          requests/s   p50 ms   p99 ms   requests  errors`);
  console.log(`/healthz (bare)${fmt(b.rps)}${fmt(b.p50)}${fmt(b.p99)}${String(b.requests).padStart(11)}${String(b.errors).padStart(8)}`);
  console.log(`/settings      ${fmt(s.rps)}${fmt(s.p50)}${fmt(s.p99)}${String(s.requests).padStart(11)}${String(s.errors).padStart(8)}`);
  const throughputRatio = b.rps / s.rps;
  const p50Ratio = s.p50 / b.p50;
  console.log(`\nratio settings/bare: throughput ${throughputRatio.toFixed(2)}× slower, p50 ${p50Ratio.toFixed(2)}×, p99 ${(s.p99 / b.p99).toFixed(2)}×`);
  console.log(`settings HTML: ${htmlBytes} bytes (budget 40960)`);
  const withinBudget = throughputRatio <= 2 && htmlBytes < 40 * 1024 && s.errors === 0;
  console.log(withinBudget ? "Budget met: within 2× of the bare route, HTML under 40 KB." : "BUDGET MISSED");
  process.exitCode = withinBudget ? 0 : 1;
} finally {
  await server.stop();
}
