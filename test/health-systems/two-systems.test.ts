import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { userHubFor } from "../../durable-objects/user-hub";
import { consumeSyncBatch } from "../../queues/sync-consumer";
import { consents, integrationConnections } from "../../src/db/schema";
import type { SyncJob } from "../../src/sync/jobs";
import { connectThroughSandbox, db, get, postForm, recordingQueue, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";

// The sandbox serves two health systems (src/providers/epic/sandbox.ts): Epic's sandbox, which is also this
// deployment's own system (EPIC_FHIR_BASE_URL is blank here), and SMART Health IT's, a second vendor's SMART v2 server.
const EPIC = "https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4";
const SMART_IT = "https://launch.smarthealthit.org/v/r4/fhir";

async function consume(jobs: SyncJob[]) {
  const batch = createMessageBatch(
    "wellness-sync",
    jobs.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeSyncBatch(batch, env);
  return getQueueResult(batch, ctx);
}

const vaultRows = (userId: string) =>
  runInDurableObject(userHubFor(env, userId), (_instance, state) =>
    state.storage.sql.exec<{ source: string; account: string }>("SELECT source, account FROM vault_tokens ORDER BY account").toArray(),
  );

describe("two health systems for one person", () => {
  it("are two connections with their own tokens, pulls, records and consent; disconnecting one leaves the other", async () => {
    const session = await signIn();
    const queue = recordingQueue<SyncJob>();
    expect((await connectThroughSandbox("epic", session, { callbackEnv: { SYNC_QUEUE: queue }, fhirBase: EPIC })).status).toBe(303);
    expect((await connectThroughSandbox("epic", session, { callbackEnv: { SYNC_QUEUE: queue }, fhirBase: SMART_IT })).status).toBe(303);

    const rows = await db().select().from(integrationConnections).where(eq(integrationConnections.userId, session.userId));
    expect(rows.map((row) => [row.account, row.accountName, row.status]).sort()).toEqual([
      ["", "Epic Sandbox Hospital", "connected"],
      [SMART_IT, "SMART Sandbox Clinic", "connected"],
    ]);
    // Each system was asked in its own dialect: SMART v1 names at Epic, v2 (`.rs`) at the v2 server.
    const scopesOf = (account: string) => rows.find((row) => row.account === account)!.scopes ?? "";
    expect(scopesOf("")).toContain("patient/Observation.read");
    expect(scopesOf(SMART_IT)).toContain("patient/Observation.rs");
    expect(await vaultRows(session.userId)).toEqual([
      { source: "epic", account: "" },
      { source: "epic", account: SMART_IT },
    ]);

    // Each connection's jobs pull from its own system: two patients, two sets of records.
    const connectionIds = new Set(queue.sent.map((job) => job.connectionId));
    expect(connectionIds).toEqual(new Set(rows.map((row) => row.id)));
    expect((await consume(queue.sent)).retryMessages).toEqual([]);
    const labs = await storedRecords(session.userId, { source: "epic", kind: "lab_result" });
    const atEpic = labs.filter((row) => row.account === "");
    const atSmartIt = labs.filter((row) => row.account === SMART_IT);
    expect(atEpic.length).toBeGreaterThan(50);
    expect(atSmartIt.length).toBeGreaterThan(50);
    // Same resource ids at both systems (the sandbox numbers them alike), stored apart: nothing overwritten.
    expect(atEpic.length + atSmartIt.length).toBe(labs.length);

    // The records view names each record's system; the card lists both with their own counts.
    const page = await (await get("/settings/connections/epic", session)).text();
    expect(page).toContain("Epic Sandbox Hospital");
    expect(page).toContain("SMART Sandbox Clinic");
    const settings = await (await get("/settings", session)).text();
    expect(settings).toContain("2 health systems");
    const smartIt = rows.find((row) => row.account === SMART_IT)!;
    const summary = await (await get(`/settings/records-summary/epic?connection=${smartIt.id}`, session)).text();
    expect(summary).toContain(`${atSmartIt.length} lab results`);

    // Disconnect the second system, deleting its data: the first keeps its tokens, records and consent.
    const gone = await postForm("/api/integrations/epic/disconnect", session, { connection: smartIt.id, delete_data: "yes" });
    expect(gone.status).toBe(303);
    expect(await vaultRows(session.userId)).toEqual([{ source: "epic", account: "" }]);
    const after = await db().select().from(integrationConnections).where(eq(integrationConnections.userId, session.userId));
    expect(after.map((row) => [row.account, row.status]).sort()).toEqual([
      ["", "connected"],
      [SMART_IT, "disconnected"],
    ]);
    const remaining = await storedRecords(session.userId, { source: "epic", kind: "lab_result" });
    expect(remaining).toHaveLength(atEpic.length);
    expect(remaining.every((row) => row.account === "")).toBe(true);
    const open = await db()
      .select()
      .from(consents)
      .where(and(eq(consents.userId, session.userId), eq(consents.sourceId, "epic")));
    expect(open.map((row) => [row.account, row.revokedAt === null]).sort()).toEqual([
      ["", true],
      [SMART_IT, false],
    ]);
  });
});
