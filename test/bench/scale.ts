// npm run bench:scale [-- --people=N --sample=M|all --sources=oura,whoop,fitbit,garmin,dexcom --max-minutes=M
//                         --day-ticks=T --garmin-epoch-days=D]
// (or BENCH_SCALE_PEOPLE, BENCH_SCALE_SAMPLE, BENCH_SCALE_SOURCES, BENCH_SCALE_MAX_MINUTES, BENCH_SCALE_DAY_TICKS,
//  BENCH_SCALE_GARMIN_EPOCH_DAYS)
//
// N (default 1,000) is the population the report is for; M of them (default 50) are run end to end, and every
// per-person figure is multiplied out to N and to 1M on paper, saying so. Each person's records live in their own
// object and their D1 rows are per person, so the costs are per person; what M does not show is contention at N,
// which this 2-core machine could not show either (its local queue runs one sync job at a time). `--sample=all`
// runs all N: at the rates measured here 1,000 people take several hours (docs/capacity.md).
//
// Against one `wrangler dev` (workerd, local D1, Durable Objects and Queues, the Worker's own queue consumers), from
// this second process on loopback:
//   1. people: N people sign in (development sign-in) and connect each source through its sandbox's consent page
//      and our production OAuth callback, which stores the tokens in the person's UserHub, marks the connection
//      connected and enqueues the 30-day backfill;
//   2. backfill: the sync queue's consumer runs every backfill job; Garmin, which only pushes, gets its 30 days
//      pushed to /webhooks/garmin the way Garmin would after the backfill request;
//   3. a simulated day: 96 cron ticks (miniflare's scheduled trigger), before each of which every connection's due
//      time moves 15 minutes earlier, as 15 minutes passing would; each person's day of notifications (Oura, WHOOP,
//      Google Health, Garmin pushes) spread over the ticks; each tick's work drains before the next, as it would in
//      the 15 real minutes between ticks.
// It prints records per second, D1 statements and rows per job, UserHub storage per person, the largest D1 table,
// p50/p99 job time, and checks that every record the consumers normalized is stored (non-zero exit if not).
// Bounded: progress lines as it goes, and it stops itself at --max-minutes, reporting what it measured by then.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type DevServer, startDevServer } from "../e2e/dev-server.ts";
import { executeLocalD1 } from "./local-d1.ts";
import { type BatchCost, batchCosts, mean, percentile, sum } from "./scale/costs.ts";
import { BENCH_SECRETS, type Delivery, deliver, garminPush, googleHealthDelivery, ouraDelivery, utcDay, whoopDelivery } from "./scale/deliveries.ts";
import { d1File, databaseSize, query, type TableSize, tableSizes, userHubFiles } from "./scale/local-state.ts";
import { connect, type Person, signIn } from "./scale/people.ts";

const ALL_SOURCES = ["oura", "whoop", "fitbit", "garmin", "dexcom"] as const;
const MINUTE_MS = 60_000;
const TICK_MS = 15 * MINUTE_MS;
const DAY_MS = 86_400_000;
const BACKFILL_DAYS = 30;
const SYNC_CRON = "*/15 * * * *";
const PROGRESS_MS = 15_000;
/** The queue broker prints a batch's line after it returns; this long without one (and nothing pending) is drained. */
const QUIET_MS = 3_000;
const TICK_DRAIN_LIMIT_MS = 180_000;
const STALL_MS = 90_000;
const TARGET_PEOPLE = 1_000_000;

function option(name: string, envName: string, fallback: string): string {
  const flag = process.argv.slice(2).find((arg) => arg.startsWith(`--${name}=`));
  return flag ? flag.slice(name.length + 3) : (process.env[envName] ?? fallback);
}

const PEOPLE = Number(option("people", "BENCH_SCALE_PEOPLE", "1000"));
const SAMPLE_OPTION = option("sample", "BENCH_SCALE_SAMPLE", "50");
const RUN_PEOPLE = SAMPLE_OPTION === "all" ? PEOPLE : Math.min(PEOPLE, Number(SAMPLE_OPTION));
const SOURCES = option("sources", "BENCH_SCALE_SOURCES", ALL_SOURCES.join(","))
  .split(",")
  .filter((s): s is (typeof ALL_SOURCES)[number] => (ALL_SOURCES as readonly string[]).includes(s));
const MAX_MINUTES = Number(option("max-minutes", "BENCH_SCALE_MAX_MINUTES", "50"));
const DAY_TICKS = Number(option("day-ticks", "BENCH_SCALE_DAY_TICKS", "96"));
const CONNECT_CONCURRENCY = Number(option("concurrency", "BENCH_SCALE_CONCURRENCY", "2"));
/**
 * Days of Garmin epochs (96 summaries a day, each its own webhook event) pushed as history. Dailies and sleeps are
 * pushed for all 30 days; the epochs' cost per event is measured in the simulated day, which pushes a day of them.
 */
const GARMIN_EPOCH_DAYS = Number(option("garmin-epoch-days", "BENCH_SCALE_GARMIN_EPOCH_DAYS", "0"));
if (
  !Number.isInteger(PEOPLE) ||
  PEOPLE < 1 ||
  !Number.isInteger(RUN_PEOPLE) ||
  RUN_PEOPLE < 1 ||
  SOURCES.length === 0 ||
  !(MAX_MINUTES > 0) ||
  !(DAY_TICKS >= 0)
) {
  throw new Error("usage: bench:scale [--people=N] [--sample=M|all] [--sources=oura,whoop,fitbit,garmin,dexcom] [--max-minutes=M] [--day-ticks=T]");
}

const startedAt = Date.now();
const deadline = startedAt + MAX_MINUTES * MINUTE_MS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const bytes = (n: number) =>
  !Number.isFinite(n)
    ? "n/a"
    : n >= 1e9
      ? `${(n / 1e9).toFixed(2)} GB`
      : n >= 1e6
        ? `${(n / 1e6).toFixed(2)} MB`
        : n >= 1e3
          ? `${(n / 1e3).toFixed(1)} kB`
          : `${n} B`;
const elapsed = () => seconds(Date.now() - startedAt);
const log = (line: string) => console.log(`[${elapsed().padStart(8)}] ${line}`);
const outOfTime = () => Date.now() > deadline;

/** Runs `work` over `items` with at most `limit` in flight, logging progress; stops taking new items at the deadline. */
async function pool<T>(items: readonly T[], limit: number, label: string, work: (item: T, index: number) => Promise<void>): Promise<number> {
  let next = 0;
  let done = 0;
  let lastLog = Date.now();
  const run = async () => {
    while (next < items.length && !outOfTime()) {
      const index = next++;
      await work(items[index]!, index);
      done++;
      if (Date.now() - lastLog > PROGRESS_MS) {
        lastLog = Date.now();
        log(`${label}: ${done}/${items.length}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return done;
}

interface Pending {
  runs: number;
  /** Runs waiting for a retry (their error says why and when). */
  retrying: number;
  events: number;
}

const server: DevServer = await startDevServer({
  extraEnv: Object.entries(BENCH_SECRETS).map(([name, value]) => `${name}=${value}`),
});
let failed = false;
const fail = (why: string) => {
  failed = true;
  console.log(`FAIL: ${why}`);
};

try {
  const d1 = d1File(server.statePath);
  const pending = (): Pending => {
    const [runs] = query<{ n: number; waiting: number }>(
      d1,
      "SELECT count(*) AS n, count(error) AS waiting FROM sync_runs WHERE status IN ('queued', 'running')",
    );
    const [events] = query<{ n: number }>(d1, "SELECT count(*) AS n FROM webhook_events WHERE status NOT IN ('processed', 'skipped', 'failed')");
    return { runs: runs?.n ?? 0, retrying: runs?.waiting ?? 0, events: events?.n ?? 0 };
  };
  /**
   * Waits until nothing is queued or running and the queue broker has been quiet for a while. Stops early when the
   * sync queue has delivered nothing for STALL_MS while runs wait that are not retrying (a reloaded `wrangler dev`
   * loses its local queues' messages: do not edit src/ during a run).
   */
  async function drain(label: string, limitMs: number): Promise<boolean> {
    const until = Math.min(deadline, Date.now() + limitMs);
    let lastLog = Date.now();
    let lastLength = server.output().length;
    let quietSince = Date.now();
    let syncSince = Date.now();
    for (;;) {
      const output = server.output();
      if (output.length !== lastLength) {
        const added = output.slice(lastLength);
        lastLength = output.length;
        if (added.includes("QUEUE wellness-")) quietSince = Date.now();
        if (added.includes('"queue":"wellness-sync"')) syncSince = Date.now();
      }
      const now = pending();
      if (now.runs === 0 && now.events === 0 && Date.now() - quietSince >= QUIET_MS) return true;
      if (now.runs > now.retrying && Date.now() - syncSince > STALL_MS) {
        fail(`${label}: the sync queue delivered nothing for ${STALL_MS / 1000} s while ${now.runs - now.retrying} runs waited (did wrangler dev reload?)`);
        return false;
      }
      if (Date.now() > until) return false;
      if (Date.now() - lastLog > PROGRESS_MS) {
        lastLog = Date.now();
        log(`${label}: ${now.runs} sync runs queued or running (${now.retrying} waiting to retry), ${now.events} webhook events in progress`);
      }
      await sleep(500);
    }
  }

  const d1Before = tableSizes(d1);
  log(
    `wrangler dev up at ${server.baseUrl}; running ${RUN_PEOPLE} of ${PEOPLE} people end to end${RUN_PEOPLE < PEOPLE ? " (--sample=all runs every one)" : ""} × ${SOURCES.length} sources (${SOURCES.join(", ")}), stopping by itself after ${MAX_MINUTES} min`,
  );

  // --- 1. people -----------------------------------------------------------------------------------------------
  const people: Person[] = [];
  const connectMs: number[] = [];
  const peopleStarted = performance.now();
  const outputAtStart = server.output().length;
  const made = await pool(
    Array.from({ length: RUN_PEOPLE }, (_, i) => i),
    CONNECT_CONCURRENCY,
    "people connected",
    async (i) => {
      const person = await signIn(server.baseUrl, `scale-${String(i).padStart(7, "0")}@wellness-os.test`);
      for (const source of SOURCES) {
        const t = performance.now();
        await connect(server.baseUrl, person, source);
        connectMs.push(performance.now() - t);
      }
      people.push(person);
    },
  );
  const peopleMs = performance.now() - peopleStarted;
  log(
    `created ${made} people and ${made * SOURCES.length} connections in ${seconds(peopleMs)} (${fixed(peopleMs / Math.max(1, made) / 1000, 2)} s a person; one connection p50 ${fixed(percentile(connectMs, 50), 0)} ms, p99 ${fixed(percentile(connectMs, 99), 0)} ms; backfills ran meanwhile)`,
  );
  if (made < RUN_PEOPLE) log(`stopped creating people at the time limit: the rest of this run measures ${made} people`);

  // --- 2. backfill (and Garmin's pushed history) -------------------------------------------------------------
  const externalIds = new Map<string, Map<string, string>>();
  for (const row of query<{ user_id: string; source_id: string; external_user_id: string | null }>(
    d1,
    "SELECT user_id, source_id, external_user_id FROM integration_connections WHERE external_user_id IS NOT NULL",
  )) {
    if (!externalIds.has(row.source_id)) externalIds.set(row.source_id, new Map());
    externalIds.get(row.source_id)!.set(row.user_id, row.external_user_id!);
  }
  const statuses: Record<string, number> = {};
  const send = async (delivery: Delivery) => {
    const status = await deliver(server.baseUrl, delivery);
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  let garminPushes = 0;
  if (SOURCES.includes("garmin")) {
    const today = utcDay(Date.now());
    const pushes = people.flatMap((person) => {
      const garminId = externalIds.get("garmin")?.get(person.userId);
      if (!garminId) return [];
      return Array.from({ length: BACKFILL_DAYS }, (_, d) => today - (d + 1) * DAY_MS).flatMap((day, d) => [
        garminPush(garminId, "dailies", day),
        garminPush(garminId, "sleeps", day),
        ...(d < GARMIN_EPOCH_DAYS ? [garminPush(garminId, "epochs", day)] : []),
      ]);
    });
    log(
      `pushing Garmin's 30 days as Garmin would after the backfill request: ${pushes.length} pushes (dailies and sleeps for 30 days, epochs for ${GARMIN_EPOCH_DAYS})`,
    );
    garminPushes = await pool(pushes, 4, "Garmin history pushes", send);
  }
  const backfillDrained = await drain("backfill", deadline - Date.now());
  const backfillMs = performance.now() - peopleStarted;
  const backfillOutput = server.output().slice(outputAtStart);
  const backfillCosts = batchCosts(backfillOutput);
  log(`backfill ${backfillDrained ? "drained" : "NOT drained (time limit)"} ${seconds(backfillMs)} after the first person signed in`);
  const storedAfterBackfill = storedRecords();
  const d1AfterBackfill = tableSizes(d1);
  const garminWritten = garminRecordsWritten(backfillOutput);

  // --- 3. a simulated day ------------------------------------------------------------------------------------
  const dayStartOutput = server.output().length;
  const dayStartClock = performance.now();
  let ticksRun = 0;
  let dayDrained = true;
  const deliveriesSent: Record<string, number> = {};
  if (DAY_TICKS > 0 && !outOfTime()) log(`simulated day: ${DAY_TICKS} cron ticks 15 simulated minutes apart, each person's notifications spread over them`);
  for (let tick = 0; tick < DAY_TICKS && !outOfTime(); tick++) {
    const deliveries = people.flatMap((person) => dayDeliveries(person, tick, externalIds));
    for (const d of deliveries) deliveriesSent[d.path.split("?")[0]!] = (deliveriesSent[d.path.split("?")[0]!] ?? 0) + 1;
    await pool(deliveries, 4, `tick ${tick + 1} notifications`, send);
    // Fifteen minutes pass for the scheduler: every connection comes due 15 minutes sooner. (The Worker's clock is the
    // real one, so moving the due times, not the tick's time, keeps each source on its own cadence.)
    await executeLocalD1(server.statePath, `UPDATE integration_connections SET next_sync_at = next_sync_at - ${TICK_MS} WHERE next_sync_at IS NOT NULL`);
    // Miniflare's trigger endpoint: the same scheduled() a Cron Trigger runs.
    const fired = await fetch(`${server.baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(SYNC_CRON)}`);
    if (!fired.ok) fail(`cron tick ${tick + 1} answered ${fired.status}`);
    if (!(await drain(`tick ${tick + 1}`, TICK_DRAIN_LIMIT_MS))) dayDrained = false;
    ticksRun++;
    if ((tick + 1) % 8 === 0) log(`simulated ${((tick + 1) * 15) / 60} h of the day (${ticksRun} ticks)`);
  }
  const dayMs = performance.now() - dayStartClock;
  const dayCosts = batchCosts(server.output().slice(dayStartOutput));
  const d1AfterDay = tableSizes(d1);
  const hubs = hubSizes();

  // --- report ----------------------------------------------------------------------------------------------
  report({
    made,
    peopleMs,
    backfillMs,
    backfillDrained,
    backfillCosts,
    storedAfterBackfill,
    garminWritten,
    garminPushes,
    d1Before,
    d1AfterBackfill,
    d1AfterDay,
    ticksRun,
    dayMs,
    dayDrained,
    dayCosts,
    deliveriesSent,
    hubs,
  });

  // The Worker's own word on what went wrong while it was measured. A job that threw is retried by its queue, so
  // what decides is where every run and event ended: a failure that the retry did not mend fails the run.
  const logged = server.output().replace(/\x1b\[[0-9;]*m/g, "");
  const problems = {
    "5xx responses": (logged.match(/\[wrangler:\w+\] [A-Z]+ \S+ 5\d\d /g) ?? []).length,
    "sync jobs that threw (retried)": logged.split('"event":"sync_job_error"').length - 1,
    "webhook jobs that threw (retried)": logged.split('"event":"webhook_job_error"').length - 1,
    "uncaught exceptions": (logged.match(/Uncaught /g) ?? []).length,
  };
  const reported = Object.entries(problems).filter(([, n]) => n > 0);
  console.log(`\nWorker errors during the run: ${reported.length === 0 ? "none" : reported.map(([what, n]) => `${what} ${n}`).join(", ")}`);
  if (problems["5xx responses"] > 0 || problems["uncaught exceptions"] > 0) fail("the Worker answered 5xx or threw uncaught (above)");
  const runEnds = query<{ status: string; n: number }>(d1, "SELECT status, count(*) AS n FROM sync_runs GROUP BY status ORDER BY status");
  const eventEnds = query<{ status: string; n: number }>(d1, "SELECT status, count(*) AS n FROM webhook_events GROUP BY status ORDER BY status");
  console.log(
    `where everything ended: sync runs ${runEnds.map((r) => `${r.status} ${r.n}`).join(", ")}; webhook events ${eventEnds.map((r) => `${r.status} ${r.n}`).join(", ")}`,
  );
  const unfinished = [
    ...runEnds.filter((r) => !["succeeded", "partial"].includes(r.status)),
    ...eventEnds.filter((r) => !["processed", "skipped"].includes(r.status)),
  ];
  if (unfinished.length > 0) fail(`work that did not end well: ${unfinished.map((r) => `${r.status} ${r.n}`).join(", ")}`);
  const rejected = Object.entries(statuses).filter(([status]) => !/^2\d\d$/.test(status));
  if (rejected.length > 0) fail(`notifications not accepted: ${rejected.map(([s, n]) => `${s} × ${n}`).join(", ")}`);
  if (failed) {
    // What the Worker printed, for finding out why (its lines carry no secrets: docs/decisions.md, "Logs").
    const file = join(tmpdir(), `bench-scale-wrangler-${Date.now()}.log`);
    writeFileSync(file, logged);
    console.log(`wrangler dev's output: ${file}`);
  }
  console.log(failed ? "\nbench:scale FAILED (see FAIL lines)" : `\nbench:scale finished in ${elapsed()}`);
  process.exitCode = failed ? 1 : 0;

  // --- helpers that read the state ---------------------------------------------------------------------------
  /** Records in the stores, per source: each UserHub's `records` table, and D1's `health_records` while it exists. */
  function storedRecords(): Map<string, number> {
    const counts = new Map<string, number>();
    const add = (rows: { source: string; n: number }[]) => {
      for (const r of rows) counts.set(r.source, (counts.get(r.source) ?? 0) + r.n);
    };
    if (query(d1, "SELECT 1 FROM sqlite_master WHERE name = 'health_records'").length > 0)
      add(query(d1, "SELECT source_id AS source, count(*) AS n FROM health_records GROUP BY source_id"));
    for (const file of userHubFiles(server.statePath)) {
      if (query(file, "SELECT 1 FROM sqlite_master WHERE name = 'records'").length > 0)
        add(query(file, "SELECT source, count(*) AS n FROM records GROUP BY source"));
    }
    return counts;
  }
  /** Garmin's pushed records, as the webhook consumer logged each store of a batch's records for a connection. */
  function garminRecordsWritten(output: string): number {
    let total = 0;
    for (const line of output.replace(/\x1b\[[0-9;]*m/g, "").split("\n")) {
      const at = line.indexOf('{"event":"webhook_records_stored"');
      if (at < 0) continue;
      const stored = JSON.parse(line.slice(at)) as { source: string; inserted: number };
      if (stored.source === "garmin") total += stored.inserted;
    }
    return total;
  }
  function hubSizes(): { owner: string | null; size: number }[] {
    return userHubFiles(server.statePath).map((file) => {
      const hasMeta = query(file, "SELECT 1 FROM sqlite_master WHERE name = 'meta'").length > 0;
      const owner = hasMeta ? (query<{ value: string }>(file, "SELECT value FROM meta WHERE key = 'owner'")[0]?.value ?? null) : null;
      return { owner, size: databaseSize(file) };
    });
  }
} finally {
  await server.stop();
}

/** One person's notifications for one tick of the simulated day (about what each provider sends a day). */
function dayDeliveries(person: Person, tick: number, externalIds: Map<string, Map<string, string>>): Delivery[] {
  const id = (source: string) => externalIds.get(source)?.get(person.userId);
  const out: Delivery[] = [];
  const now = Date.now();
  const oura = SOURCES.includes("oura") ? id("oura") : undefined;
  if (oura) {
    // The night's sleep, its score and readiness in the morning; activity as the ring syncs during the day.
    if (tick === 28) for (const type of ["sleep", "daily_sleep", "daily_readiness"]) out.push(ouraDelivery(oura, type, now - 3_600_000));
    if (tick % 16 === 8) out.push(ouraDelivery(oura, "daily_activity", now - 600_000));
  }
  const whoop = SOURCES.includes("whoop") ? id("whoop") : undefined;
  if (whoop) {
    if (tick === 30) out.push(whoopDelivery(whoop, "sleep.updated"), whoopDelivery(whoop, "recovery.updated"));
    if (tick === 70) out.push(whoopDelivery(whoop, "workout.updated"));
  }
  const google = SOURCES.includes("fitbit") ? id("fitbit") : undefined;
  if (google) {
    if (tick === 29) out.push(googleHealthDelivery(google, "sleep", now - 9 * 3_600_000, now - 3_600_000));
    if (tick % 12 === 6) out.push(googleHealthDelivery(google, "steps", now - 3_600_000, now - 600_000));
  }
  const garmin = SOURCES.includes("garmin") ? id("garmin") : undefined;
  if (garmin) {
    // Eight uploads a day, each pushing the epochs since the last one and the updated daily summary; one sleep.
    const today = utcDay(now);
    if (tick % 12 === 11) {
      out.push(garminPush(garmin, "epochs", today, { from: tick - 11, count: 12 }), garminPush(garmin, "dailies", today));
    }
    if (tick === 30) out.push(garminPush(garmin, "sleeps", today));
  }
  return out;
}

interface Measured {
  made: number;
  peopleMs: number;
  backfillMs: number;
  backfillDrained: boolean;
  backfillCosts: BatchCost[];
  storedAfterBackfill: Map<string, number>;
  garminWritten: number;
  garminPushes: number;
  d1Before: TableSize[];
  d1AfterBackfill: TableSize[];
  d1AfterDay: TableSize[];
  ticksRun: number;
  dayMs: number;
  dayDrained: boolean;
  dayCosts: BatchCost[];
  deliveriesSent: Record<string, number>;
  hubs: { owner: string | null; size: number }[];
}

function jobTable(title: string, costs: BatchCost[]) {
  const sync = costs.filter((c) => c.queue === "wellness-sync");
  const groups = new Map<string, BatchCost[]>();
  for (const c of sync) {
    const key = c.job ? `${c.job.trigger} ${c.job.source}` : "other outcome";
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  console.log(`\n${title}: sync jobs (one job per consumer invocation), mean per job (records written, provider requests, D1), p50/p99 wall time:`);
  console.log(
    `  ${"trigger source".padEnd(20)}${"jobs".padStart(7)}${"records".padStart(10)}${"provider".padStart(10)}${"D1 stmts".padStart(10)}${"rows read".padStart(11)}${"rows written".padStart(14)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}`,
  );
  const line = (name: string, group: BatchCost[]) =>
    console.log(
      `  ${name.padEnd(20)}${String(group.length).padStart(7)}${fixed(mean(group.map((c) => c.job?.written ?? 0)), 0).padStart(10)}${fixed(mean(group.map((c) => c.job?.providerRequests ?? 0))).padStart(10)}${fixed(mean(group.map((c) => c.d1Statements))).padStart(10)}${fixed(mean(group.map((c) => c.d1RowsRead)), 0).padStart(11)}${fixed(mean(group.map((c) => c.d1RowsWritten)), 0).padStart(14)}${fixed(
        percentile(
          group.map((c) => c.ms),
          50,
        ),
        0,
      ).padStart(8)}${fixed(
        percentile(
          group.map((c) => c.ms),
          99,
        ),
        0,
      ).padStart(8)}`,
    );
  for (const [name, group] of [...groups.entries()].sort()) line(name, group);
  if (sync.length > 0) line("all (mean per job)", sync);
  const hooks = costs.filter((c) => c.queue === "wellness-webhooks");
  if (hooks.length > 0) {
    const events = sum(hooks.map((c) => c.messages));
    console.log(
      `  webhook consumer: ${events} events in ${hooks.length} batches; per event ${fixed(sum(hooks.map((c) => c.d1Statements)) / events)} D1 statements, ${fixed(sum(hooks.map((c) => c.d1RowsRead)) / events, 0)} rows read, ${fixed(sum(hooks.map((c) => c.d1RowsWritten)) / events, 0)} rows written; batch p50 ${fixed(
        percentile(
          hooks.map((c) => c.ms),
          50,
        ),
        0,
      )} ms, p99 ${fixed(
        percentile(
          hooks.map((c) => c.ms),
          99,
        ),
        0,
      )} ms`,
    );
  }
}

function d1Total(sizes: TableSize[]) {
  return sum(sizes.map((t) => t.bytes));
}

function report(m: Measured) {
  const people = Math.max(1, m.made);
  const backfillSync = m.backfillCosts.filter((c) => c.queue === "wellness-sync");
  const recordsBySource = new Map<string, number>();
  for (const c of backfillSync) if (c.job) recordsBySource.set(c.job.source, (recordsBySource.get(c.job.source) ?? 0) + (c.job.inserted ?? c.job.written));
  const exact = backfillSync.every((c) => !c.job || c.job.inserted !== null);
  if (SOURCES.includes("garmin"))
    recordsBySource.set("garmin", (recordsBySource.get("garmin") ?? 0) + (Number.isFinite(m.garminWritten) ? m.garminWritten : 0));
  const records = sum([...recordsBySource.values()]);
  const busyMs = sum(m.backfillCosts.map((c) => c.ms));

  console.log(
    `\n=== bench:scale: ${m.made} people × ${SOURCES.length} sandbox connections measured end to end on this machine (wrangler dev: workerd, local D1, DOs, Queues), reported for ${int(PEOPLE)} ===`,
  );
  console.log(`people: ${m.made} created with ${m.made * SOURCES.length} connections through the sandbox OAuth flow in ${seconds(m.peopleMs)}`);
  console.log(
    `\nbackfill (30 days a connection${SOURCES.includes("garmin") ? `; Garmin's pushed as ${m.garminPushes} pushes` : ""}): ${int(records)} records in ${seconds(m.backfillMs)} ${m.backfillDrained ? "" : "(NOT drained at the time limit) "}`,
  );
  console.log(
    `  records per second: ${fixed(records / (m.backfillMs / 1000), 0)} wall clock (first sign-in to drained), ${fixed(records / (busyMs / 1000), 0)} per second of consumer time`,
  );
  console.log(`  records per person: ${int(records / people)} (${[...recordsBySource.entries()].map(([s, n]) => `${s} ${int(n / people)}`).join(", ")})`);
  jobTable("backfill", m.backfillCosts);

  // Stored = normalized: every record a consumer normalized and reported written is in the store, once.
  console.log(
    `\nrecords stored = records normalized (after the backfill, per source; the consumers' ${exact ? "new records (inserted)" : "records written (new or changed: a record that changed between two pulls counts twice)"}):`,
  );
  for (const source of SOURCES) {
    const written = recordsBySource.get(source) ?? 0;
    const stored = m.storedAfterBackfill.get(source) ?? 0;
    // Dexcom's live stream (in the person's UserHub, from the first minute) stores the last day's readings too, and
    // reports no counts: what it adds is bounded by two days of 5-minute readings a person.
    const streamBound = source === "dexcom" && exact ? people * 2 * 288 : 0;
    const ok = stored >= written && stored - written <= streamBound && (source !== "garmin" || Number.isFinite(m.garminWritten));
    const note = streamBound > 0 ? ` (the live stream added ${int(stored - written)}; at most ${int(streamBound)})` : "";
    console.log(
      `  ${source.padEnd(8)} normalized and ${exact ? "inserted" : "written"} ${int(written).padStart(10)}   stored ${int(stored).padStart(10)}   ${ok ? "equal" : "MISMATCH"}${note}`,
    );
    if (!ok) fail(`${source}: ${stored} records stored, ${written} normalized and reported ${exact ? "inserted" : "written"}`);
  }

  const dayJobs = m.dayCosts.filter((c) => c.queue === "wellness-sync");
  const hooks = m.dayCosts.filter((c) => c.queue === "wellness-webhooks");
  const dayFraction = m.ticksRun / 96;
  console.log(
    `\nsimulated day: ${m.ticksRun} of 96 cron ticks ${m.dayDrained ? "" : "(some ticks did not drain in time) "}in ${seconds(m.dayMs)}; notifications sent: ${
      Object.entries(m.deliveriesSent)
        .map(([p, n]) => `${p} ${n}`)
        .join(", ") || "none"
    }`,
  );
  if (m.ticksRun > 0) {
    jobTable("the day", m.dayCosts);
    const perPersonDay = (values: number[]) => sum(values) / people / dayFraction;
    const providerBySource = new Map<string, number>();
    for (const c of dayJobs) if (c.job) providerBySource.set(c.job.source, (providerBySource.get(c.job.source) ?? 0) + c.job.providerRequests);
    console.log(
      `  provider requests per person per day (sync jobs; the Dexcom live stream's own calls are not counted here): ${[...providerBySource.entries()].map(([source, n]) => `${source} ${fixed(n / people / dayFraction)}`).join(", ")}`,
    );
    const all = m.dayCosts;
    console.log(
      `  per person per day: ${fixed(dayJobs.length / people / dayFraction)} sync jobs, ${fixed(sum(hooks.map((c) => c.messages)) / people / dayFraction)} webhook events, ${fixed(perPersonDay(all.map((c) => c.d1Statements)))} D1 statements, ${int(perPersonDay(all.map((c) => c.d1RowsRead)))} rows read, ${int(perPersonDay(all.map((c) => c.d1RowsWritten)))} rows written`,
    );
  }

  console.log(`\nD1 (local SQLite file; bytes = pages of each table and its indexes, sqlite dbstat):`);
  const before = d1Total(m.d1Before);
  const afterBackfill = d1Total(m.d1AfterBackfill);
  const afterDay = d1Total(m.d1AfterDay);
  console.log(
    `  total ${bytes(before)} empty, ${bytes(afterBackfill)} after the backfill, ${bytes(afterDay)} after the day: ${bytes((afterBackfill - before) / people)} a person after the backfill, ${bytes((afterDay - afterBackfill) / people)} a person for the ${m.ticksRun} ticks of the day run`,
  );
  for (const t of m.d1AfterDay.slice(0, 6))
    console.log(`  ${t.table.padEnd(26)}${int(t.rows).padStart(12)} rows ${bytes(t.bytes).padStart(10)} (indexes ${bytes(t.indexBytes)})`);
  const largest = m.d1AfterDay[0];
  if (largest) console.log(`  largest D1 table: ${largest.table}, ${int(largest.rows)} rows, ${bytes(largest.bytes)}`);

  const hubSizesList = m.hubs.filter((h) => h.owner !== null).map((h) => h.size);
  console.log(`\nUserHub storage (ctx.storage.sql.databaseSize = SQLite page count × page size, read from each object's file):`);
  console.log(
    `  ${hubSizesList.length} objects; per person p50 ${bytes(percentile(hubSizesList, 50))}, p99 ${bytes(percentile(hubSizesList, 99))}, max ${bytes(Math.max(...hubSizesList))}; all ${bytes(sum(hubSizesList))}`,
  );

  // On paper: the measured per-person figures × the population.
  const dayStatements = m.ticksRun > 0 ? sum(m.dayCosts.map((c) => c.d1Statements)) / dayFraction : NaN;
  const dayRowsWritten = m.ticksRun > 0 ? sum(m.dayCosts.map((c) => c.d1RowsWritten)) / dayFraction : NaN;
  const dayRowsRead = m.ticksRun > 0 ? sum(m.dayCosts.map((c) => c.d1RowsRead)) / dayFraction : NaN;
  const dayMessages = m.ticksRun > 0 ? (dayJobs.length + sum(hooks.map((c) => c.messages))) / dayFraction : NaN;
  const dayGrowth = m.ticksRun > 0 ? (afterDay - afterBackfill) / dayFraction : NaN;
  for (const target of [...new Set([PEOPLE, TARGET_PEOPLE])].filter((n) => n > m.made)) {
    const scale = target / people;
    console.log(`\nextrapolated on paper to ${int(target)} people × ${SOURCES.length} connections (the ${m.made} measured × ${int(scale)}; not run):`);
    console.log(`  records: ${int(records * scale)} after the backfill`);
    console.log(`  D1: ${bytes((afterBackfill - before) * scale)} after the backfill, growing ${bytes(dayGrowth * scale)} a day`);
    console.log(
      `  D1 a day: ${int(dayStatements * scale)} statements (${fixed((dayStatements * scale) / 86_400, 0)}/s), ${int(dayRowsRead * scale)} rows read, ${int(dayRowsWritten * scale)} rows written`,
    );
    console.log(`  queue messages a day (sync jobs + webhook events): ${int(dayMessages * scale)} (${fixed((dayMessages * scale) / 86_400, 0)}/s)`);
    console.log(`  UserHub storage: ${bytes(mean(hubSizesList) * target)} in all (${bytes(mean(hubSizesList))} a person)`);
    console.log(
      `  this machine would take ≈ ${fixed((m.backfillMs * scale) / 3_600_000, 1)} h to create and backfill them, and ≈ ${fixed(((m.dayMs / Math.max(dayFraction, 1e-9)) * scale) / 3_600_000, 1)} h per simulated day (one local sync consumer)`,
    );
  }
}
