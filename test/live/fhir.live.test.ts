import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { integrationConnections } from "../../src/db/schema";
import { sandboxPatientResources } from "../../src/providers/smart-fhir/sandbox-patient";
import type { SyncJob } from "../../src/sync/jobs";
import { runSyncJob } from "../../src/sync/run";
import { scheduledWindow } from "../../src/sync/schedule";
import { callbackCookie, db, ORIGIN, recordingQueue, type Session, signIn } from "../helpers";
import { storedCount, storedRecords } from "../records/inspect";
import { FHIR_PEER_PATIENT, FHIR_PEER_PUBLIC_BASE } from "../setup/fhir-base";

// Health records end to end against a real FHIR R4 server on loopback (Medplum's router over its in-memory
// repository, test/setup/fhir-peer.ts) and the health system's own OAuth server (oauth2-mock-server): SMART
// discovery, the authorization-code + PKCE flow, then the pulls. Every test that drives the FHIR peer lives in
// this one file, so its fault queue is never shared with another file running in parallel.

// A whole backfill is ten jobs of real HTTP to a server on loopback, on a machine other test files share.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const fhirControl = (path: string, body?: unknown) =>
  fetch(`${env.TEST_PEERS.fhir}/__control/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) }).then((r) => r.json());
const oauthControl = (path: string, body?: unknown) =>
  fetch(`${env.TEST_PEERS.fhirOAuth}/__control/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) }).then((r) => r.json());
const seen = () => fhirControl("seen") as Promise<{ path: string; query: string; authorization: string | null }[]>;

/** The deployment points Epic's adapter at the loopback health system (any SMART R4 server connects the same way). */
const healthSystemEnv = { ...env, EPIC_FHIR_BASE_URL: FHIR_PEER_PUBLIC_BASE };
const app = createApp({ engine: { timeoutMs: 2000 } });

async function call(path: string, session: Session, extraEnv: Partial<Env> = {}, cookie = session.cookie): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(`${ORIGIN}${path}`, { headers: { Cookie: cookie }, redirect: "manual" }),
    { ...healthSystemEnv, ...extraEnv },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

/** Connects the health system through its OAuth server; returns the backfill jobs the callback queued, newest first. */
async function connectHealthSystem(session: Session) {
  const start = await call("/api/integrations/epic/start", session);
  expect(start.status, await start.clone().text()).toBe(302);
  const authorizeUrl = new URL(start.headers.get("Location")!);
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  const callback = new URL(consent.headers.get("Location")!);
  const queue = recordingQueue<SyncJob>();
  // The callback comes back to the browser that pressed Connect, with its binding cookie (src/oauth/browser-binding.ts).
  const done = await call(`${callback.pathname}${callback.search}`, session, { SYNC_QUEUE: queue }, callbackCookie(session, start));
  expect(done.status).toBe(303);
  return { authorizeUrl, jobs: queue.sent };
}

async function connection(userId: string) {
  const [row] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, "epic")));
  return row!;
}

const run = (job: SyncJob, attempt = 1) => runSyncJob(healthSystemEnv, { ...job, runId: `${job.runId}-${crypto.randomUUID()}` }, { attempt });
const expectedLabs = (labScale = 1) => sandboxPatientResources(FHIR_PEER_PATIENT, Date.now(), labScale).filter((r) => r.resourceType === "Observation").length;

beforeEach(async () => {
  await fhirControl("reset");
  await oauthControl("reset");
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});

describe("a SMART on FHIR R4 health system on loopback", () => {
  it("connects by SMART discovery with v2 scopes per resource, and the backfill pages through every opaque next link", async () => {
    const session = await signIn();
    const { authorizeUrl, jobs } = await connectHealthSystem(session);
    const scopes = authorizeUrl.searchParams.get("scope")!.split(" ");
    expect(scopes).toEqual(
      expect.arrayContaining([
        "launch/patient",
        "offline_access",
        "openid",
        "fhirUser",
        "patient/Observation.rs",
        "patient/Condition.rs",
        "patient/MedicationRequest.rs",
      ]),
    );
    expect(authorizeUrl.searchParams.get("aud")).toBe(FHIR_PEER_PUBLIC_BASE);
    expect((await connection(session.userId)).externalUserId).toBe(FHIR_PEER_PATIENT);

    for (const job of jobs) expect(await run(job)).toMatchObject({ kind: "done", status: "succeeded" });
    expect((await storedRecords(session.userId, { kind: "lab_result" })).length).toBe(expectedLabs());
    expect(await storedRecords(session.userId, { kind: "condition" })).toHaveLength(6);
    expect(await storedRecords(session.userId, { kind: "medication" })).toHaveLength(6);
    const requests = await seen();
    // More results than one page holds: the pull followed the server's opaque links as given.
    expect(requests.filter((r) => r.query.includes("_getpages=")).length).toBeGreaterThanOrEqual(3);
    expect(requests.every((r) => r.authorization?.startsWith("Bearer "))).toBe(true);
  });

  it("writes 0 rows when the same pull is replayed", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    for (const job of jobs) await run(job);
    const total = await storedCount(session.userId, "epic");
    expect(total).toBeGreaterThan(80);
    for (const job of jobs) expect(await run(job)).toMatchObject({ kind: "done", written: 0, inserted: 0 });
    expect(await storedCount(session.userId, "epic")).toBe(total);
  });

  it("replaces an amended result: the daily pull asks only what changed (_lastUpdated) and the same record takes the correction", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    for (const job of jobs) await run(job);
    const before = await storedCount(session.userId, "epic");
    await fhirControl("amend?id=lab-2345-7-3&value=77");
    const now = Date.now();
    const cron: SyncJob = { ...jobs[0]!, trigger: "cron", window: scheduledWindow({ lookbackHours: 24 }, { syncedThrough: now - 3_600_000 }, now) };
    expect(await run(cron)).toMatchObject({ kind: "done", status: "succeeded" });
    expect((await seen()).at(-1)?.query).toContain("_lastUpdated=ge");
    const [row] = await storedRecords(session.userId, { kind: "lab_result" }).then((rows) => rows.filter((r) => r.external_id === "Observation/lab-2345-7-3"));
    expect(JSON.parse(row!.data)).toMatchObject({ status: "amended", value: { value: 77, unit: "mg/dL" } });
    expect(await storedCount(session.userId, "epic")).toBe(before);
  });
});

describe("a health system the person enters by its address", () => {
  it("connects and pulls the same way, as its own connection keyed by that address", async () => {
    const session = await signIn();
    // The deployment's own system is another one (LIVE_PROVIDER_BINDINGS): this server is reached only because the
    // person typed its address (with a trailing slash and upper-case host, as people do).
    const ctx = createExecutionContext();
    const start = await app.fetch(
      new Request(`${ORIGIN}/api/integrations/epic/start`, {
        method: "POST",
        headers: { Cookie: session.cookie, Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: session.csrfToken, fhir_base: `${FHIR_PEER_PUBLIC_BASE.replace("fhir.", "FHIR.")}/` }),
        redirect: "manual",
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(start.status, await start.clone().text()).toBe(303);
    const authorizeUrl = new URL(start.headers.get("Location")!);
    expect(authorizeUrl.searchParams.get("aud")).toBe(FHIR_PEER_PUBLIC_BASE);
    const consent = await fetch(authorizeUrl, { redirect: "manual" });
    const callback = new URL(consent.headers.get("Location")!);
    const queue = recordingQueue<SyncJob>();
    const done = await call(`${callback.pathname}${callback.search}`, session, { ...env, SYNC_QUEUE: queue }, callbackCookie(session, start));
    expect(done.status).toBe(303);

    const row = await connection(session.userId);
    expect(row).toMatchObject({ account: FHIR_PEER_PUBLIC_BASE, accountName: new URL(FHIR_PEER_PUBLIC_BASE).hostname, externalUserId: FHIR_PEER_PATIENT });
    for (const job of queue.sent) {
      expect(job.connectionId).toBe(row.id);
      expect(await runSyncJob(env, { ...job, runId: `${job.runId}-${crypto.randomUUID()}` })).toMatchObject({ kind: "done", status: "succeeded" });
    }
    const labs = await storedRecords(session.userId, { kind: "lab_result" });
    expect(labs).toHaveLength(expectedLabs());
    expect(labs.every((lab) => lab.account === FHIR_PEER_PUBLIC_BASE)).toBe(true);
  });
});

describe("consent: a partial grant", () => {
  it("stores what was granted, pulls what was shared, and says in words which data was not", async () => {
    const granted = "launch/patient openid fhirUser offline_access patient/Patient.rs patient/Condition.rs patient/MedicationRequest.rs";
    await oauthControl("faults", [{ kind: "add_fields", fields: { scope: granted } }]);
    await fhirControl("refuse?type=Observation");
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    expect((await connection(session.userId)).scopes).toBe(granted);
    const outcome = await run(jobs[0]!);
    expect(outcome).toMatchObject({ kind: "done", status: "partial" });
    expect(await storedRecords(session.userId, { kind: "lab_result" })).toEqual([]);
    expect(await storedRecords(session.userId, { kind: "condition" })).toHaveLength(6);
    expect(await storedRecords(session.userId, { kind: "medication" })).toHaveLength(6);
    expect((await connection(session.userId)).lastError).toBe(
      "Your health system did not share your lab results with Wellness OS. Reconnect and allow lab results to include them.",
    );
  });
});

describe("failures: nothing lost, nothing duplicated, nothing sent where it should not go", () => {
  it("a 401 gets exactly one refresh, then the pull goes on", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    await fhirControl("faults", [{ kind: "status", status: 401, body: { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "login" }] } }]);
    const outcome = await run(jobs[0]!);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: "done", status: "succeeded" });
    const grants = ((await oauthControl("token-requests")) as { grantType: string }[]).map((r) => r.grantType);
    expect(grants).toEqual(["authorization_code", "refresh_token"]);
  });

  it("a 401 after the refresh too asks the person to reconnect", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    await fhirControl("faults", [
      { kind: "status", status: 401 },
      { kind: "status", status: 401 },
    ]);
    expect(await run(jobs[0]!)).toMatchObject({ kind: "failed" });
    expect((await connection(session.userId)).status).toBe("needs_reauth");
  });

  it("a 429 is retried when Retry-After says, and nothing is written", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    await fhirControl("faults", [{ kind: "status", status: 429, headers: { "Retry-After": "120" } }]);
    expect(await run(jobs[0]!)).toEqual({ kind: "retry", delaySeconds: 120, reason: expect.any(String) });
    expect(await storedCount(session.userId, "epic")).toBe(0);
  });

  it("a 500 is retried with backoff", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    await fhirControl("faults", [{ kind: "status", status: 500 }]);
    const outcome = await run(jobs[0]!, 2);
    expect(outcome.kind).toBe("retry");
    // Attempt 2: 60 s ± 20 %.
    expect(outcome.kind === "retry" && outcome.delaySeconds).toBeGreaterThanOrEqual(48);
    expect(outcome.kind === "retry" && outcome.delaySeconds).toBeLessThanOrEqual(72);
  });

  it("a search that answers something other than a Bundle fails the job clearly and writes nothing", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    await fhirControl("faults", [{ kind: "not_bundle" }]);
    const outcome = await run(jobs[0]!);
    expect(outcome).toMatchObject({ kind: "failed", reason: expect.stringContaining("a search answered a OperationOutcome") });
    expect(await storedCount(session.userId, "epic")).toBe(0);
  });

  it("refuses a next link to another host without sending it the token", async () => {
    const session = await signIn();
    const { jobs } = await connectHealthSystem(session);
    await fhirControl("faults", [{ kind: "foreign_next" }]);
    const outcome = await run(jobs[0]!);
    expect(outcome).toMatchObject({ kind: "failed", reason: expect.stringContaining("elsewhere.example") });
    // One search reached the health system; the link to elsewhere.example was never requested (outboundService
    // would have failed the test had anything been sent there).
    expect((await seen()).map((r) => r.path)).toEqual(["/Observation"]);
  });
});
