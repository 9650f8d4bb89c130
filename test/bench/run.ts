// npm run bench, against one running Worker (`wrangler dev`, local D1, its own queue consumers):
//   1. the settings page and 2. signed WHOOP webhook deliveries, each against the bare /healthz route of the same
//      run, under concurrent load from a second process on loopback; prints each and its ratio to the bare route,
//      and checks that every accepted delivery was handled exactly once (the consumer's webhook_events rows =
//      accepted requests). Beside them, one card's refresh (/settings/cards/oura: one D1 query, a 1 KB card): the
//      floor of any page that reads D1 once here, where local D1 is a call into other isolates of the same workerd;
//   3. a 30-day Oura backfill for one person who connects through the sandbox: jobs, records, wall time, and per
//      job the provider requests and D1 round trips, against the free plan's 50 subrequests per invocation.
// The budgets (docs/capacity.md) are printed as PASS or OVER against ratios measured in this same run: settings page
// p50 within 1.5× of the bare route, signed webhook ack p50 within 1.3×, and 0 D1 bytes per person-day of samples
// (the records live in the person's UserHub). A ratio never fails the process (a shared machine is noisy); errors,
// lost webhook deliveries, an oversized page or a failed backfill do.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { startDevServer } from "../e2e/dev-server.ts";
import { type BackfillReport, benchOuraBackfill } from "./backfill.ts";
import { executeLocalD1, queryLocalD1 } from "./local-d1.ts";
import { d1File, type TableSize, tableSizes } from "./scale/local-state.ts";
import { signedWhoopDelivery } from "./whoop-delivery.ts";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The free plan's subrequests per invocation (src/sync/run.ts SUBREQUEST_LIMIT); D1 queries count against it too. */
const FREE_PLAN_SUBREQUESTS = 50;
/** What the engine leaves for provider calls after its own (src/sync/run.ts: SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS). */
const ENGINE_PROVIDER_BUDGET = 46;
/** A throwaway secret for this run's `wrangler dev` only: WHOOP signs webhooks with the app's client secret. */
const WHOOP_SECRET = "bench-whoop-client-secret-not-a-real-secret";
const SETTINGS_P50_BUDGET = 1.5;
const WEBHOOK_P50_BUDGET = 1.3;
/**
 * D1 tables that hold the control plane (listed or scanned across people): their growth per sync is the run's audit
 * row, not the samples. Every other table's growth during a backfill is records in D1, whose budget is 0.
 */
const CONTROL_PLANE_TABLES = new Set([
  "users",
  "integration_connections",
  "sync_runs",
  "webhook_events",
  "consents",
  "device_suggestions",
  "sandbox_grants",
  "d1_migrations",
]);

interface LoadResult {
  requests: number;
  errors: number;
  accepted: number;
  statuses: Record<string, number>;
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
}

function load(url: string, args: string[], durationMs = DURATION_MS): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "load.ts"), url, String(CONCURRENCY), String(durationMs), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, BENCH_WHOOP_SECRET: WHOOP_SECRET },
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const server = await startDevServer({ extraEnv: [`WHOOP_CLIENT_SECRET=${WHOOP_SECRET}`] });
let failed = false;
try {
  // --- 3 first, on a quiet server: the backfill's wall time is then the consumer's alone. -------------------------
  console.log("Connecting Oura through the sandbox and waiting for its 30-day backfill…");
  const d1 = d1File(server.statePath);
  const d1BeforeBackfill = tableSizes(d1);
  const backfill = await benchOuraBackfill(server, "backfill-bench@wellness-os.test");
  const d1AfterBackfill = tableSizes(d1);

  // --- 1 and 2: load ----------------------------------------------------------------------------------------------
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
    .map(
      ([source, status, reason]) =>
        `('bench_${source}','${userId}','${source}','${status}',${reason ? `'${reason}'` : "NULL"},'sandbox',${now},${now - 600000},${now})`,
    )
    .join(",");
  await executeLocalD1(
    server.statePath,
    `INSERT OR REPLACE INTO integration_connections (id,user_id,source_id,status,status_reason,mode,connected_at,last_sync_at,updated_at) VALUES ${rows};`,
  );

  const page = await fetch(`${server.baseUrl}/settings`, { headers: { Cookie: cookie } });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('id="card-oura"')) throw new Error(`settings page answered ${page.status}`);

  // The webhook route really verifies: a signed delivery is accepted, an unsigned or mis-signed one is not.
  const webhookUrl = `${server.baseUrl}/webhooks/whoop`;
  const probe = signedWhoopDelivery(WHOOP_SECRET);
  const accepted = await fetch(webhookUrl, { method: "POST", headers: probe.headers, body: probe.body });
  const misSigned = signedWhoopDelivery("not-the-client-secret");
  const rejected = await fetch(webhookUrl, { method: "POST", headers: misSigned.headers, body: misSigned.body });
  const unsigned = await fetch(webhookUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: signedWhoopDelivery(WHOOP_SECRET).body });
  if (accepted.status !== 200 || rejected.status !== 401 || unsigned.status !== 401) {
    throw new Error(`webhook probe: signed ${accepted.status}, mis-signed ${rejected.status}, unsigned ${unsigned.status} (expected 200, 401, 401)`);
  }
  let webhooksAccepted = 1;

  // The endpoint writes nothing: an accepted delivery is unfinished until the consumer's row for it is final.
  const finishedWebhooks = async () =>
    (
      await queryLocalD1<{ n: number }>(
        server.statePath,
        "SELECT count(*) AS n FROM webhook_events WHERE provider = 'whoop' AND status IN ('processed', 'skipped', 'failed')",
      )
    )[0]?.n ?? 0;
  /** The local consumer shares workerd with the routes: let it finish before the next route is measured. */
  async function drainWebhooks(): Promise<number> {
    const started = performance.now();
    const deadline = Date.now() + 120_000;
    while ((await finishedWebhooks()) < webhooksAccepted) {
      if (Date.now() > deadline) return NaN;
      await sleep(500);
    }
    return performance.now() - started;
  }

  const webhookArgs = ["--method=POST", "--sign=whoop"];
  console.log(`Warming up (${CONCURRENCY} concurrent connections)…`);
  await load(`${server.baseUrl}/healthz`, [], 2000);
  await load(`${server.baseUrl}/settings`, [`Cookie: ${cookie}`], 2000);
  webhooksAccepted += (await load(webhookUrl, webhookArgs, 2000)).accepted;
  await drainWebhooks();

  const cardUrl = `${server.baseUrl}/settings/cards/oura`;
  await load(cardUrl, [`Cookie: ${cookie}`], 2000);

  const bare: LoadResult[] = [];
  const settings: LoadResult[] = [];
  const cards: LoadResult[] = [];
  const webhooks: LoadResult[] = [];
  const drains: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await load(`${server.baseUrl}/healthz`, []));
    settings.push(await load(`${server.baseUrl}/settings`, [`Cookie: ${cookie}`]));
    cards.push(await load(cardUrl, [`Cookie: ${cookie}`]));
    const webhookRound = await load(webhookUrl, webhookArgs);
    webhooks.push(webhookRound);
    webhooksAccepted += webhookRound.accepted;
    drains.push(await drainWebhooks());
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
  const w = summary(webhooks);
  const card = summary(cards);
  const htmlBytes = Buffer.byteLength(html);
  const fmt = (n: number, width = 9) => n.toFixed(2).padStart(width);
  const row = (name: string, r: ReturnType<typeof summary>) =>
    `${name.padEnd(26)}${fmt(r.rps, 11)}${fmt(r.p50)}${fmt(r.p99)}${String(r.requests).padStart(11)}${String(r.errors).padStart(8)}`;
  console.log(`\nwrangler dev (workerd, local D1), ${CONCURRENCY} concurrent, ${ROUNDS} rounds × ${DURATION_MS / 1000}s, medians:`);
  console.log(
    `${"route".padEnd(26)}${"requests/s".padStart(11)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"requests".padStart(11)}${"errors".padStart(8)}`,
  );
  console.log(row("GET /healthz (bare)", b));
  console.log(row("GET /settings", s));
  console.log(row("GET /settings/cards/oura", card));
  console.log(row("POST /webhooks/whoop", w));
  const ratios = (r: ReturnType<typeof summary>) =>
    `throughput ${(b.rps / r.rps).toFixed(2)}× slower, p50 ${(r.p50 / b.p50).toFixed(2)}×, p99 ${(r.p99 / b.p99).toFixed(2)}×`;
  console.log(`\nratio against the bare route, same run:`);
  console.log(`  settings/bare   ${ratios(s)}`);
  console.log(`  one card/bare   ${ratios(card)}   (one D1 query and a 1 KB card: the floor of a page that reads D1 once)`);
  console.log(`  webhook/bare    ${ratios(w)}`);
  console.log(`settings HTML: ${htmlBytes} bytes (budget 40960)`);
  const withinHtml = htmlBytes < 40 * 1024;
  if (!withinHtml || s.errors > 0 || card.errors > 0) failed = true;

  // Every accepted delivery must be handled exactly once: one webhook_events row each, nothing more, nothing lost.
  const byStatus = await queryLocalD1<{ status: string; n: number }>(
    server.statePath,
    "SELECT status, count(*) AS n FROM webhook_events WHERE provider = 'whoop' GROUP BY status ORDER BY status",
  );
  const eventRows = byStatus.reduce((sum, r) => sum + r.n, 0);
  const webhookStatuses = webhooks.reduce<Record<string, number>>((all, r) => {
    for (const [status, n] of Object.entries(r.statuses)) all[status] = (all[status] ?? 0) + n;
    return all;
  }, {});
  console.log(`\nWHOOP webhooks (each delivery signed by the load generator, unique trace_id; the probes: signed 200, mis-signed 401, unsigned 401):`);
  console.log(
    `  measured rounds answered: ${Object.entries(webhookStatuses)
      .map(([status, n]) => `${status} × ${n}`)
      .join(", ")}`,
  );
  console.log(
    `  accepted in all (probe, warm-up, rounds): ${webhooksAccepted}; webhook_events rows: ${eventRows} ${eventRows === webhooksAccepted ? "(equal)" : "MISMATCH"}`,
  );
  console.log(`  after the consumer: ${byStatus.map((r) => `${r.status} ${r.n}`).join(", ")} (the WHOOP user ids match no connection, so events are skipped)`);
  console.log(
    `  consumer drained each round's backlog within ${drains.map((ms) => (Number.isNaN(ms) ? "NOT DRAINED in 120 s" : `${(ms / 1000).toFixed(1)} s`)).join(", ")} of the round's end (polled through the wrangler CLI, about 1 s resolution; it also ran during the round)`,
  );
  if (eventRows !== webhooksAccepted || w.errors > 0) failed = true;

  if (!printBackfill(backfill)) failed = true;

  // --- budgets, as ratios of this run ------------------------------------------------------------------------
  const growth = (before: TableSize[], after: TableSize[]) =>
    after
      .map((t) => ({
        table: t.table,
        bytes: t.bytes - (before.find((b) => b.table === t.table)?.bytes ?? 0),
        rows: t.rows - (before.find((b) => b.table === t.table)?.rows ?? 0),
      }))
      .filter((t) => t.bytes !== 0 || t.rows !== 0);
  const grown = growth(d1BeforeBackfill, d1AfterBackfill);
  const sampleTables = grown.filter((t) => !CONTROL_PLANE_TABLES.has(t.table));
  const days =
    (backfill.runs.reduce((max, run) => Math.max(max, run.window_end), 0) - backfill.runs.reduce((min, run) => Math.min(min, run.window_start), Infinity)) /
    86_400_000;
  const sampleBytesPerDay = sampleTables.reduce((sum, t) => sum + t.bytes, 0) / days;
  const verdict = (ok: boolean) => (ok ? "PASS" : "OVER");
  console.log(`\nbudgets (ratios of this run; a ratio never fails the process):`);
  console.log(
    `  settings page p50 / bare route p50   ${(s.p50 / b.p50).toFixed(2)}×   budget ${SETTINGS_P50_BUDGET}×   ${verdict(s.p50 / b.p50 <= SETTINGS_P50_BUDGET)}`,
  );
  console.log(`    floor: one card's refresh / bare   ${(card.p50 / b.p50).toFixed(2)}×   (one D1 query through the same session and middleware, a 1 KB card)`);
  console.log(
    `  webhook ack p50 / bare route p50     ${(w.p50 / b.p50).toFixed(2)}×   budget ${WEBHOOK_P50_BUDGET}×   ${verdict(w.p50 / b.p50 <= WEBHOOK_P50_BUDGET)}`,
  );
  console.log(
    `  D1 bytes per person-day of samples   ${Math.round(sampleBytesPerDay)} B   budget 0   ${verdict(sampleBytesPerDay === 0)}   (the ${days.toFixed(0)}-day Oura backfill: ${sampleTables.length === 0 ? "no D1 table but the control plane grew" : sampleTables.map((t) => `${t.table} +${t.rows} rows, +${t.bytes} B`).join("; ")}; control plane ${
      grown
        .filter((t) => CONTROL_PLANE_TABLES.has(t.table))
        .map((t) => `${t.table} +${t.rows} rows`)
        .join(", ") || "unchanged"
    })`,
  );
  console.log(`  D1 queries per settings view         counted by test/settings.test.ts (the route is not metered in wrangler dev)`);
  console.log(`  settings HTML                        ${htmlBytes} B   budget 40960 B   ${verdict(withinHtml)}`);

  // What the Worker itself reported going wrong while it was measured (a failure would make the figures meaningless).
  const logged = server.output().replace(/\x1b\[[0-9;]*m/g, "");
  const problems = {
    "5xx responses": (logged.match(/\[wrangler:\w+\] [A-Z]+ \S+ 5\d\d /g) ?? []).length,
    webhook_job_error: logged.split('"event":"webhook_job_error"').length - 1,
    sync_job_error: logged.split('"event":"sync_job_error"').length - 1,
  };
  const reported = Object.entries(problems).filter(([, n]) => n > 0);
  console.log(`\nWorker errors during the run: ${reported.length === 0 ? "none" : reported.map(([what, n]) => `${what} ${n}`).join(", ")}`);
  if (reported.length > 0) failed = true;
  process.exitCode = failed ? 1 : 0;
} finally {
  await server.stop();
}

/** Prints the backfill's figures; false when a run failed or a job spent more than the free plan allows. */
function printBackfill(report: BackfillReport): boolean {
  const { runs, jobs, invocations } = report;
  const byStatus = Object.entries(
    runs.reduce<Record<string, number>>((all, run) => {
      all[run.status] = (all[run.status] ?? 0) + 1;
      return all;
    }, {}),
  );
  const upserted = runs.reduce((sum, run) => sum + run.records_upserted, 0);
  console.log(`\n30-day Oura backfill, one person (sandbox provider; wrangler dev's own sync consumer):`);
  console.log(
    `  backfill jobs: ${runs.length} (${byStatus.map(([status, n]) => `${n} ${status}`).join(", ")})${report.splits.length ? `, ${report.splits.length} split for the subrequest budget` : ""}`,
  );
  console.log(`  records written: ${report.recordsStored} stored (runs' records_upserted sum ${upserted})`);
  console.log(
    `  wall time: ${(report.wallMs / 1000).toFixed(2)} s from connect to the last job's finish (Worker clock; observed here ${(report.observedMs / 1000).toFixed(1)} s)`,
  );
  if (invocations.length > 0) {
    console.log(
      `  consumer invocations: ${invocations.map((inv) => `${inv.jobs.length} job(s) in ${inv.ms} ms`).join("; ")} (the rest is the queue's batch wait)`,
    );
  }
  const have = jobs.length > 0;
  const na = (value: number) => (have ? String(value) : "n/a");
  console.log(`\n  job  status      written  unchanged  provider requests  D1 round trips  subrequests*`);
  const shown = have
    ? jobs
    : runs.map((run) => ({ status: run.status, written: run.records_upserted, unchanged: NaN, providerRequests: NaN, d1RoundTrips: NaN }));
  shown.forEach((job, i) => {
    const total = job.providerRequests + job.d1RoundTrips + 1;
    console.log(
      `  ${String(i + 1).padStart(3)}  ${job.status.padEnd(10)}${String(job.written).padStart(9)}${(have ? String(job.unchanged) : "n/a").padStart(11)}${`${na(job.providerRequests)} / ${FREE_PLAN_SUBREQUESTS}`.padStart(19)}${na(job.d1RoundTrips).padStart(16)}${na(total).padStart(14)}`,
    );
  });
  console.log(
    `  * provider requests + D1 round trips + 1 token call to the person's Durable Object: what one job spends of an invocation's ${FREE_PLAN_SUBREQUESTS} (free plan).`,
  );
  let ok = runs.every((run) => run.status === "succeeded");
  if (!have) {
    console.log(`  per-job counts n/a: wrangler dev printed no {"event":"sync_job_done",…} lines.`);
    return ok;
  }
  const maxProvider = Math.max(...jobs.map((job) => job.providerRequests));
  const maxTotal = Math.max(...jobs.map((job) => job.providerRequests + job.d1RoundTrips + 1));
  console.log(
    `  per job: at most ${maxProvider} provider requests (engine budget ${ENGINE_PROVIDER_BUDGET}, free plan ${FREE_PLAN_SUBREQUESTS}) and ${maxTotal} subrequests in all: ${maxTotal <= FREE_PLAN_SUBREQUESTS ? "within" : "OVER"} the free plan's ${FREE_PLAN_SUBREQUESTS}.`,
  );
  if (maxProvider > FREE_PLAN_SUBREQUESTS) ok = false;
  for (const inv of invocations) {
    const spent = inv.jobs.reduce((sum, job) => sum + job.providerRequests + job.d1RoundTrips + 1, 0);
    if (spent > FREE_PLAN_SUBREQUESTS) {
      console.log(
        `  WARNING: one consumer invocation ran ${inv.jobs.length} jobs (batch of ${inv.messages}) = ${spent} subrequests; the free plan allows ${FREE_PLAN_SUBREQUESTS} per invocation, not per job.`,
      );
    }
  }
  return ok;
}
