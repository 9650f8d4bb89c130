import { createExecutionContext, createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { consumeSyncBatch } from "../../queues/sync-consumer";
import { integrationConnections } from "../../src/db/schema";
import type { SyncJob } from "../../src/sync/jobs";
import { connectThroughSandbox, db, get, recordingQueue, signIn } from "../helpers";

async function connectAndPull() {
  const session = await signIn();
  const queue = recordingQueue<SyncJob>();
  await connectThroughSandbox("epic", session, { callbackEnv: { SYNC_QUEUE: queue } });
  const batch = createMessageBatch(
    "wellness-sync",
    queue.sent.map((body, i) => ({ id: `m-${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  createExecutionContext();
  await consumeSyncBatch(batch, env);
  return session;
}

describe("the health records view", () => {
  it("groups labs by test with the latest value, flag, range and a trend; conditions and medications active first", async () => {
    const session = await connectAndPull();
    const page = await (await get("/settings/connections/epic", session)).text();
    expect(page).toContain("Your health records");
    // HbA1c, LDL and glucose were measured every quarter: each is one group with a trend chart.
    const a1c = page.slice(page.indexOf("<h4>Hemoglobin A1c</h4>"));
    expect(a1c).toMatch(/<strong>\d+(\.\d)? %<\/strong>/);
    expect(a1c).toMatch(/Normal range 4–5\.6 %/);
    expect(a1c).toMatch(/<svg class="lab-trend"[^>]*aria-label="Hemoglobin A1c: 2\d results from/);
    expect(page.match(/<h4>Hemoglobin A1c<\/h4>/g)).toHaveLength(1);
    // Active conditions come before resolved ones.
    expect(page.indexOf("Type 2 diabetes")).toBeLessThan(page.indexOf("Sinus infection"));
    expect(page).toContain("Resolved");
    // Medications being taken come before stopped and finished ones.
    expect(page.indexOf("metformin hydrochloride 500 MG Oral Tablet")).toBeLessThan(page.indexOf("ibuprofen 600 mg tablet"));
    expect(page).toContain("Take 1 tablet by mouth twice daily with meals.");
    expect(page).toContain("Stopped");

    const summary = await (await get("/settings/records-summary/epic", session)).text();
    expect(summary).toMatch(/\d{2,} lab results · 6 conditions · 6 medications/);
  });

  it("says in plain words which data the person did not share, with no scope strings", async () => {
    const session = await connectAndPull();
    await db()
      .update(integrationConnections)
      .set({ scopes: "launch/patient openid fhirUser offline_access patient/Patient.read patient/Condition.read" })
      .where(and(eq(integrationConnections.userId, session.userId), eq(integrationConnections.sourceId, "epic")));
    const page = await (await get("/settings/connections/epic", session)).text();
    expect(page).toContain("You did not share your lab results and medications from Epic MyChart");
    expect(page).not.toContain("patient/");
    const summary = await (await get("/settings/records-summary/epic", session)).text();
    expect(summary).toContain("Not shared: lab results and medications.");
  });

  it("explains an empty view while the first pull runs", async () => {
    const session = await signIn();
    await connectThroughSandbox("epic", session, { callbackEnv: { SYNC_QUEUE: recordingQueue() } });
    const page = await (await get("/settings/connections/epic", session)).text();
    expect(page).toContain("No records from Epic MyChart yet. The first pull reads your whole history");
  });
});
