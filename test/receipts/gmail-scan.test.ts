import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gmailSync } from "../../src/providers/gmail/sync";
import type { SyncJob } from "../../src/sync/jobs";
import { runSyncJob } from "../../src/sync/run";
import { connectThroughSandbox, get, recordingQueue, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";

const DAY = 86_400_000;

// The sandbox mailbox (src/providers/gmail/sandbox-mailbox.ts) holds nine receipts (eight orders, one refund) and
// four look-alikes (a shipping notice, an abandoned cart, a promotion, a newsletter) from the labelled corpus.
describe("connecting Gmail offline (sandbox)", () => {
  it("scans twelve months in jobs that fit the budget and keeps only the receipts, parsed, never a body", async () => {
    const session = await signIn();
    const queue = recordingQueue<SyncJob>();
    const done = await connectThroughSandbox("gmail", session, { callbackEnv: { SYNC_QUEUE: queue } });
    expect(done.status).toBe(303);
    const jobs = queue.sent.filter((job) => job.userId === session.userId && job.action !== "watch");
    expect(jobs).toHaveLength(Math.ceil(gmailSync.backfillDays / gmailSync.backfillJobDays));
    const span = jobs.reduce((sum, job) => sum + (job.window.end - job.window.start), 0);
    expect(span).toBeGreaterThanOrEqual(365 * DAY - 60_000);

    for (const job of jobs) {
      const outcome = await runSyncJob(env, job);
      expect(outcome.kind, JSON.stringify(outcome)).toBe("done");
      if (outcome.kind === "done") expect(outcome.providerRequests).toBeLessThanOrEqual(gmailSync.maxRequestsPerJob);
    }

    const receipts = await storedRecords(session.userId, { source: "gmail", kind: "receipt" });
    expect(receipts).toHaveLength(9);
    const bodies = receipts.map((r) => JSON.parse(r.data));
    expect(bodies.filter((b) => b.kind === "refund")).toHaveLength(1);
    expect(bodies.map((b) => b.merchant)).toContain("Green Basket Market");
    expect(bodies.filter((b) => !/^[0-9a-f]{64}$/.test(b.message_sha256))).toEqual([]);

    const purchases = await storedRecords(session.userId, { source: "gmail", kind: "purchase" });
    const items = purchases.map((r) => JSON.parse(r.data));
    expect(items.length).toBeGreaterThan(20);
    expect(items.find((i) => i.name === "Organic Rolled Oats")).toMatchObject({ status: "matched", catalog_item_id: "oats", category: "food" });
    expect(items.find((i) => i.name === "Paper Towels")).toMatchObject({ status: "other" });
    // Lines the catalog does not know well wait for the person.
    expect(items.filter((i) => i.status === "review").length).toBeGreaterThan(0);

    // Data minimization: no message body, header or look-alike reaches the store.
    const everything = await storedRecords(session.userId, { source: "gmail" });
    expect(everything.filter((r) => r.raw !== null).map((r) => `${r.kind} ${r.raw}`)).toEqual([]);
    const text = everything.map((r) => r.data).join("\n");
    expect(text).not.toMatch(/Content-Type|Subject:|jordan\.avery|Unsubscribe|has shipped|left something/i);

    // The source's detail page lists what the scan found and how many items wait for review.
    const detail = await (await get("/settings/connections/gmail", session)).text();
    expect(detail).toContain("9 receipts with");
    expect(detail).toMatch(/items? waits? for your review\./);
    expect(detail).toContain("<td>Green Basket Market</td>");
    expect(detail).toContain('href="/settings/purchases">Review purchases</a>');
  });
});
