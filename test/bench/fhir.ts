// A patient with 5,000 lab results, pulled from a FHIR R4 server on loopback by the SMART on FHIR pull
// (src/providers/smart-fhir/sync.ts) exactly as a queue job runs it: the backfill's windows, each job with its own
// subrequest budget, split in two when a window needs more requests than one invocation may make, every page
// normalized. Prints records per second, jobs, and subrequests per job against the budget.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sandboxPatientResources, searchPatient } from "../../src/providers/smart-fhir/sandbox-patient.ts";
import { smartFhirSync } from "../../src/providers/smart-fhir/sync.ts";
import { createPullContext, SubrequestBudget, SubrequestBudgetError } from "../../src/sync/pull-context.ts";

// SUBREQUEST_LIMIT - ENGINE_SUBREQUESTS in src/sync/run.ts (that module reaches the Durable Object, which Node
// cannot load): what one queue invocation leaves for provider requests.
const BUDGET = 50 - 4;
const OBSERVATIONS = 5_000;
const PATIENT = "bench-patient";
const FHIR_PATH = "/R4";
const DAY_MS = 86_400_000;
/** Pages as large as we ask for (100), as Epic's R4 searches return. */
const PAGE_SIZE = 100;

const now = Date.now();
// Labs drawn often enough, over six years, for more than 5,000 results; the newest 5,000 are served.
const generated = sandboxPatientResources(PATIENT, now, 80);
const labs = generated.filter((r: { resourceType: string }) => r.resourceType === "Observation").slice(-OBSERVATIONS);
const all = [...generated.filter((r: { resourceType: string }) => r.resourceType !== "Observation"), ...labs];

let origin = "";
let requests = 0;
const server = createServer((req, res) => {
  requests++;
  const url = new URL(req.url ?? "/", origin);
  if (req.headers.authorization !== "Bearer bench-token") {
    res.writeHead(401).end();
    return;
  }
  if (url.pathname === `${FHIR_PATH}/metadata`) {
    res.writeHead(404).end();
    return;
  }
  const result = searchPatient({ all, patient: PATIENT, url, fhirPath: FHIR_PATH, pageSize: PAGE_SIZE });
  res.writeHead(result.status, { "Content-Type": "application/fhir+json" });
  res.end(JSON.stringify(result.body));
});

const spec = smartFhirSync(() => `${origin}${FHIR_PATH}`);

interface JobCost {
  requests: number;
  records: number;
}

/** One job: pull + normalize one window; a window too large for the budget is split in two, as the engine does. */
async function runJob(window: { start: number; end: number }, costs: JobCost[]): Promise<void> {
  const budget = new SubrequestBudget(BUDGET);
  const ctx = createPullContext({
    env: {} as never,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
    token: { current: async () => "bench-token", afterUnauthorized: async () => null },
    budget,
    externalUserId: null,
    tokenContext: { patient: PATIENT },
    now,
  });
  let records = 0;
  try {
    for await (const page of spec.pull(ctx, window)) records += spec.normalize(page.kind, page.body).records.length;
  } catch (error) {
    if (!(error instanceof SubrequestBudgetError)) throw error;
    costs.push({ requests: budget.used, records: 0 });
    const middle = window.start + Math.floor((window.end - window.start) / 2);
    await runJob({ start: window.start, end: middle }, costs);
    await runJob({ start: middle, end: window.end }, costs);
    return;
  }
  costs.push({ requests: budget.used, records });
}

async function backfill(): Promise<{ costs: JobCost[]; ms: number }> {
  const costs: JobCost[] = [];
  const started = performance.now();
  const size = spec.backfillJobDays * DAY_MS;
  for (let end = now; end > now - spec.backfillDays * DAY_MS; end -= size)
    await runJob({ start: Math.max(now - spec.backfillDays * DAY_MS, end - size), end }, costs);
  return { costs, ms: performance.now() - started };
}

async function main() {
  // Each first page of lab results carries the server's OperationOutcome warning, which the pull logs.
  console.warn = () => undefined;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { costs, ms } = await backfill();
  const records = costs.reduce((sum, c) => sum + c.records, 0);
  const maxRequests = Math.max(...costs.map((c) => c.requests));
  console.log(
    [
      `Health-records backfill: ${labs.length} lab results, ${records} records in all`,
      `  records per second       ${Math.round(records / (ms / 1000))}   (${Math.round(ms)} ms, pull + normalize, no storage)`,
      `  jobs                     ${costs.length}   (${costs.filter((c) => c.records === 0 && c.requests >= BUDGET).length} split for the budget)`,
      `  subrequests per job      max ${maxRequests}, mean ${(costs.reduce((s, c) => s + c.requests, 0) / costs.length).toFixed(1)}   budget ${BUDGET}   ${maxRequests <= BUDGET ? "ok" : "OVER"}`,
      `  requests the server saw  ${requests}`,
    ].join("\n"),
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

await main();
