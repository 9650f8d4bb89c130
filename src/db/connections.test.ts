import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "./client";
import { deleteConnection, getConnection, listConnections, markConnected, updateConnectionStatus } from "./connections";
import { ensureUser } from "./users";

const db = database(env.DB);

async function person() {
  const id = `usr_repo_${crypto.randomUUID().slice(0, 8)}`;
  await ensureUser(db, { id, email: `${id}@example.test`, displayName: null, accessSubject: null });
  return id;
}

describe("connection repository", () => {
  it("creates, reads, lists, updates and deletes a connection, always scoped to one person", async () => {
    const alice = await person();
    const bob = await person();
    const created = await markConnected(db, alice, "oura", { mode: "sandbox", externalUserId: "oura-1", scopes: "daily heartrate", nextSyncAt: 123 }, 1000);
    expect(created).toMatchObject({ userId: alice, sourceId: "oura", status: "connected", externalUserId: "oura-1", connectedAt: 1000, nextSyncAt: 123 });

    expect(await getConnection(db, alice, "oura")).toMatchObject({ id: created.id, activeRunId: null });
    expect(await getConnection(db, bob, "oura")).toBeUndefined();
    expect((await listConnections(db, alice)).map((c) => c.sourceId)).toEqual(["oura"]);
    expect(await listConnections(db, bob)).toEqual([]);

    const broken = await updateConnectionStatus(db, alice, "oura", "needs_reauth", "Oura Ring no longer accepts access.");
    expect(broken).toMatchObject({ status: "needs_reauth", statusReason: "Oura Ring no longer accepts access.", nextSyncAt: null });
    // Bob cannot change Alice's connection: the update matches nothing.
    expect(await updateConnectionStatus(db, bob, "oura", "disconnected")).toBeUndefined();
    expect((await getConnection(db, alice, "oura"))?.status).toBe("needs_reauth");

    // Connecting again revives the same row, healthy, with no stale reason.
    const revived = await markConnected(db, alice, "oura", { mode: "live" }, 2000);
    expect(revived).toMatchObject({ id: created.id, status: "connected", statusReason: null, mode: "live", connectedAt: 2000 });

    expect(await deleteConnection(db, bob, "oura")).toBe(false);
    expect(await deleteConnection(db, alice, "oura")).toBe(true);
    expect(await getConnection(db, alice, "oura")).toBeUndefined();
  });

  it("refuses needs_reauth or error without a reason the person can read", async () => {
    const alice = await person();
    await markConnected(db, alice, "whoop", { mode: "sandbox" });
    await expect(updateConnectionStatus(db, alice, "whoop", "error")).rejects.toThrow("needs a reason");
    await expect(updateConnectionStatus(db, alice, "whoop", "needs_reauth", "")).rejects.toThrow("needs a reason");
    expect((await getConnection(db, alice, "whoop"))?.status).toBe("connected");
  });
});
