// A person connects Oura through the development sandbox, as a browser would, and the 30-day backfill runs in
// `wrangler dev`'s own queue consumer. Reports what the backfill cost: jobs, records, wall time, and per job the
// provider requests and D1 round trips the engine counted (from the consumer's `sync_job_done` lines).
import { createHash } from "node:crypto";
import type { DevServer } from "../e2e/dev-server.ts";
import { type ConsumerInvocation, consumerInvocations, type SyncJobDone, type SyncJobSplit, syncJobsDone, syncJobsSplit } from "./job-log.ts";
import { queryLocalD1, sqlString } from "./local-d1.ts";

const POLL_MS = 1000;
const TIMEOUT_MS = 5 * 60_000;
const TERMINAL = new Set(["succeeded", "partial", "failed"]);

export interface BackfillRun {
  id: string;
  status: string;
  records_upserted: number;
  window_start: number;
  window_end: number;
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

export interface BackfillReport {
  runs: BackfillRun[];
  /** Records in the person's UserHub (read through the service API): what the backfill stored, whatever retries or splits happened. */
  recordsStored: number;
  /** From enqueue (the callback) to the last run's finish, by the Worker's own clock (sync_runs). */
  wallMs: number;
  /** From sending the callback to seeing every run finished, in this process (includes the polling interval). */
  observedMs: number;
  /** One per job that finished; empty when the consumer does not log `sync_job_done`. */
  jobs: SyncJobDone[];
  splits: SyncJobSplit[];
  /** The sync consumer's invocations that ran these jobs (the subrequest limit applies per invocation). */
  invocations: ConsumerInvocation[];
}

/** The service API's token in the benchmark's `wrangler dev` (set by test/e2e/dev-server.ts). */
const SERVICE_TOKEN = "e2e-service-token";

/** Counts a person's records of one source by paging the service API (the records live in their UserHub). */
async function countStoredRecords(baseUrl: string, userId: string, source: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const url = new URL(`/api/v1/users/${userId}/records`, baseUrl);
    url.searchParams.set("limit", "1000");
    if (cursor) url.searchParams.set("cursor", cursor);
    const response = await fetch(url, { headers: { Authorization: `Bearer ${SERVICE_TOKEN}` } });
    if (!response.ok) throw new Error(`records API answered ${response.status}`);
    const page = (await response.json()) as { records: { source: string }[]; next_cursor: string | null };
    count += page.records.filter((record) => record.source === source).length;
    cursor = page.next_cursor;
  } while (cursor);
  return count;
}

async function expectStatus(response: Response, status: number, step: string): Promise<Response> {
  if (response.status !== status) throw new Error(`${step}: expected ${status}, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response;
}

export async function benchOuraBackfill(server: DevServer, email: string): Promise<BackfillReport> {
  const { baseUrl, statePath } = server;
  const signIn = await expectStatus(
    await fetch(`${baseUrl}/dev/sign-in`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl },
      body: new URLSearchParams({ email, name: "Backfill Bench", next: "/settings" }),
      redirect: "manual",
    }),
    303,
    "sign-in",
  );
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
  const userId = `usr_${createHash("sha256").update(`dev:${email.toLowerCase()}`).digest("hex").slice(0, 32)}`;
  const get = (url: string) => fetch(new URL(url, baseUrl), { headers: { Cookie: cookie }, redirect: "manual" });

  // Connect → the sandbox's consent page → Allow (with the page's CSRF token) → our callback.
  const start = await expectStatus(await get("/api/integrations/oura/start"), 302, "connect start");
  const authorize = new URL(start.headers.get("location")!);
  if (authorize.pathname !== "/sandbox/oura/authorize") throw new Error(`connect start sent the browser to ${authorize.pathname}, not the Oura sandbox`);
  const consent = await (await expectStatus(await get(authorize.pathname + authorize.search), 200, "consent page")).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(consent)?.[1];
  if (!csrf) throw new Error("the consent page has no CSRF token");
  const allow = await expectStatus(
    await fetch(new URL(authorize.pathname, baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl, Cookie: cookie },
      body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), _csrf: csrf, decision: "allow" }),
      redirect: "manual",
    }),
    302,
    "consent allow",
  );
  const callback = new URL(allow.headers.get("location")!);
  const sent = performance.now();
  // With the nonce Connect bound the authorization to (src/oauth/browser-binding.ts), as the browser would send it.
  const binding = start.headers
    .getSetCookie()
    .map((pair) => pair.split(";")[0]!)
    .filter((pair) => pair.startsWith("wos_oauth_"));
  const done = await expectStatus(
    await fetch(new URL(callback.pathname + callback.search, baseUrl), { headers: { Cookie: [cookie, ...binding].join("; ") }, redirect: "manual" }),
    303,
    "callback",
  );
  if (done.headers.get("location") !== "/settings?connected=oura") throw new Error(`callback redirected to ${done.headers.get("location")}`);

  // Wait until every run of the backfill has finished, and stays so across two polls (a split finishes one run
  // just before it queues its two halves).
  const select = `SELECT id, status, records_upserted, window_start, window_end, started_at, finished_at, error FROM sync_runs
    WHERE user_id = ${sqlString(userId)} AND source_id = 'oura' AND trigger = 'backfill' ORDER BY window_end DESC`;
  const deadline = Date.now() + TIMEOUT_MS;
  let previous = "";
  let runs: BackfillRun[] = [];
  let observedMs = NaN;
  for (;;) {
    runs = await queryLocalD1<BackfillRun>(statePath, select);
    const finished = runs.length > 0 && runs.every((run) => TERMINAL.has(run.status));
    if (finished && Number.isNaN(observedMs)) observedMs = performance.now() - sent;
    if (!finished) observedMs = NaN;
    const snapshot = JSON.stringify(runs.map((run) => [run.id, run.status]));
    if (finished && snapshot === previous) break;
    previous = finished ? snapshot : "";
    if (Date.now() > deadline) throw new Error(`backfill did not finish in ${TIMEOUT_MS / 1000} s: ${snapshot}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const stored = { n: await countStoredRecords(baseUrl, userId, "oura") };
  const enqueuedAt = Math.min(...runs.map((run) => run.started_at));
  const lastFinish = Math.max(...runs.map((run) => run.finished_at ?? 0));
  const output = server.output();
  return {
    runs,
    recordsStored: stored?.n ?? 0,
    wallMs: lastFinish - enqueuedAt,
    observedMs,
    jobs: syncJobsDone(output, { source: "oura", trigger: "backfill" }),
    splits: syncJobsSplit(output, { source: "oura", trigger: "backfill" }),
    invocations: consumerInvocations(output, "wellness-sync", { source: "oura", trigger: "backfill" }),
  };
}
