import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connectThroughSandbox, get, postForm, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";
import { seedReceipts } from "./seed";

describe("Gmail receipts: delete my data", () => {
  it("removes the receipts, purchases and corrections, and the review page and API are empty after", async () => {
    const session = await signIn();
    await connectThroughSandbox("gmail", session, { callbackEnv: { SYNC_QUEUE: { send: async () => {}, sendBatch: async () => {} } as unknown as Queue } });
    await seedReceipts(session.userId, ["23-sunrise-instore-text"]);
    const pb = (await storedRecords(session.userId, { kind: "purchase" })).find((r) => JSON.parse(r.data).name === "PB CRUNCHY")!;
    await postForm(`/settings/purchases/${encodeURIComponent(pb.external_id)}`, session, { action: "correct", catalog_item_id: "peanut-butter" });
    expect((await storedRecords(session.userId, { source: "gmail" })).map((r) => r.kind)).toEqual(
      expect.arrayContaining(["receipt", "purchase", "purchase_alias"]),
    );

    const response = await postForm("/api/integrations/gmail/disconnect", session, { delete_data: "yes" });
    expect(response.status).toBe(303);
    expect(await storedRecords(session.userId, { source: "gmail" })).toEqual([]);
    const page = await (await get("/settings/purchases", session)).text();
    expect(page).toContain("No receipts yet.");
    const api = await get(`/api/v1/users/${session.userId}/purchases`, undefined, { Authorization: `Bearer ${env.SERVICE_API_TOKEN}` });
    expect(await api.json()).toEqual({ purchases: [], truncated: false });
  });
});
