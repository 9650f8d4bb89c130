import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { SourceId } from "../domain/integration";
import { database } from "./client";
import {
  byProviderPerson,
  type ConnectedDetails,
  claimDueConnections,
  connectStatement,
  disconnectStatements,
  getConnection,
  listConnections,
  providerPeopleStatement,
  providerPersonKey,
  recordSyncFailure,
  recordSyncSuccess,
  updateConnectionStatus,
} from "./connections";
import { consents } from "./schema";
import { ensureUser } from "./users";

const db = database(env.DB);

async function person() {
  const id = `usr_repo_${crypto.randomUUID().slice(0, 8)}`;
  await ensureUser(db, { id, email: `${id}@example.test`, displayName: null, accessSubject: null });
  return id;
}

async function connect(userId: string, source: SourceId, details: ConnectedDetails, now = Date.now()) {
  const [row] = await connectStatement(db, userId, source, details, now);
  return row!;
}

describe("connection state", () => {
  it("connects, reads and lists a connection, always scoped to one person", async () => {
    const alice = await person();
    const bob = await person();
    const created = await connect(alice, "oura", { mode: "sandbox", externalUserId: "oura-1", scopes: "daily heartrate", nextSyncAt: 123 }, 1000);
    expect(created).toMatchObject({ userId: alice, sourceId: "oura", status: "connected", externalUserId: "oura-1", connectedAt: 1000, nextSyncAt: 123 });

    expect(await getConnection(db, alice, "oura")).toMatchObject({ id: created.id, activeRunId: null });
    expect(await getConnection(db, bob, "oura")).toBeUndefined();
    expect((await listConnections(env.DB, alice)).map((c) => c.sourceId)).toEqual(["oura"]);
    expect(await listConnections(env.DB, bob)).toEqual([]);
  });

  it("marks needs_reauth with a reason, lets nobody else change it, and a reconnect revives the same row", async () => {
    const alice = await person();
    const bob = await person();
    const created = await connect(alice, "oura", { mode: "sandbox", nextSyncAt: 123 }, 1000);
    const broken = await updateConnectionStatus(db, alice, "oura", "needs_reauth", "Oura Ring no longer accepts access.");
    expect(broken).toMatchObject({ status: "needs_reauth", statusReason: "Oura Ring no longer accepts access.", nextSyncAt: null });
    expect(await updateConnectionStatus(db, bob, "oura", "disconnected")).toBeUndefined();
    expect((await getConnection(db, alice, "oura"))?.status).toBe("needs_reauth");

    const revived = await connect(alice, "oura", { mode: "live" }, 2000);
    expect(revived).toMatchObject({ id: created.id, status: "connected", statusReason: null, mode: "live", connectedAt: 2000 });
  });

  it("never turns a disconnected connection into needs_reauth or error (a sync that outlived the disconnect)", async () => {
    const alice = await person();
    await connect(alice, "oura", { mode: "sandbox" });
    await db.batch([...disconnectStatements(db, alice, "oura", { reason: null, now: 5000 })]);
    expect(await updateConnectionStatus(db, alice, "oura", "needs_reauth", "Wellness OS no longer holds access to Oura Ring.")).toBeUndefined();
    expect(await updateConnectionStatus(db, alice, "oura", "error", "Oura had a problem.")).toBeUndefined();
    expect(await getConnection(db, alice, "oura")).toMatchObject({ status: "disconnected", statusReason: null, nextSyncAt: null });
  });

  it("finds the connections a batch of provider ids names, in one statement: every person sharing an id, only those receiving data", async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const member = `whoop-${crypto.randomUUID()}`;
    const aliceRow = await connect(alice, "whoop", { mode: "sandbox", externalUserId: member, scopes: "read:sleep", nextSyncAt: 123 });
    await connect(bob, "whoop", { mode: "sandbox", externalUserId: member });
    await connect(carol, "whoop", { mode: "sandbox", externalUserId: member });
    await db.batch([...disconnectStatements(db, carol, "whoop", { reason: null, now: 5000 })]);
    // The same id at another source is another person.
    await connect(alice, "oura", { mode: "sandbox", externalUserId: member });

    const found = byProviderPerson(
      await providerPeopleStatement(env.DB, [
        { sourceId: "whoop", externalUserId: member },
        { sourceId: "garmin", externalUserId: member },
      ]).all(),
    );
    expect([...found.keys()]).toEqual([providerPersonKey({ sourceId: "whoop", externalUserId: member })]);
    expect(
      found
        .get(providerPersonKey({ sourceId: "whoop", externalUserId: member }))!
        .map((row) => row.userId)
        .sort(),
    ).toEqual([alice, bob].sort());
    // Each row reads as Drizzle reads it: every column, under its field name, with its type.
    expect(found.get(providerPersonKey({ sourceId: "whoop", externalUserId: member }))!.find((row) => row.userId === alice)).toEqual(aliceRow);
    expect(byProviderPerson(await providerPeopleStatement(env.DB, []).all())).toEqual(new Map());
  });

  it("refuses needs_reauth or error without a reason the person can read", async () => {
    const alice = await person();
    await connect(alice, "whoop", { mode: "sandbox" });
    await expect(updateConnectionStatus(db, alice, "whoop", "error")).rejects.toThrow("needs a reason");
    await expect(updateConnectionStatus(db, alice, "whoop", "needs_reauth", "")).rejects.toThrow("needs a reason");
    expect((await getConnection(db, alice, "whoop"))?.status).toBe("connected");
  });

  it("turns only a connection in an allowed status to error, keeping the schedule it is given", async () => {
    const alice = await person();
    await connect(alice, "whoop", { mode: "sandbox" });
    await updateConnectionStatus(db, alice, "whoop", "needs_reauth", "Reconnect WHOOP.");
    expect(await updateConnectionStatus(db, alice, "whoop", "error", "Syncing kept failing.", { onlyFrom: ["connected"], nextSyncAt: 5000 })).toBeUndefined();
    expect((await getConnection(db, alice, "whoop"))?.status).toBe("needs_reauth");

    await connect(alice, "whoop", { mode: "sandbox" });
    const failing = await updateConnectionStatus(db, alice, "whoop", "error", "Syncing kept failing.", { onlyFrom: ["connected"], nextSyncAt: 5000 });
    expect(failing).toMatchObject({ status: "error", lastError: "Syncing kept failing.", nextSyncAt: 5000 });
  });

  it("a success heals an error connection but never revives one that was disconnected meanwhile", async () => {
    const alice = await person();
    const row = await connect(alice, "oura", { mode: "sandbox" });
    await updateConnectionStatus(db, alice, "oura", "error", "Oura had a problem.");
    await recordSyncSuccess(db, { connectionId: row.id, userId: alice }, { now: 7000, syncCursor: '{"syncedThrough":7000}', nextSyncAt: 9000 });
    expect(await getConnection(db, alice, "oura")).toMatchObject({
      status: "connected",
      statusReason: null,
      lastError: null,
      lastSuccessAt: 7000,
      syncCursor: '{"syncedThrough":7000}',
      nextSyncAt: 9000,
    });

    await recordSyncFailure(db, { userId: alice, sourceId: "oura" }, { reason: "Oura rejected our request (400).", now: 8000 });
    expect(await getConnection(db, alice, "oura")).toMatchObject({
      status: "connected",
      lastError: "Oura rejected our request (400).",
      lastSyncAt: 8000,
      lastSuccessAt: 7000,
    });

    await db.batch([...disconnectStatements(db, alice, "oura", { reason: null, now: 8500 })]);
    await recordSyncSuccess(db, { userId: alice, sourceId: "oura" }, { now: 9000 });
    expect((await getConnection(db, alice, "oura"))?.status).toBe("disconnected");
  });

  it("disconnects with the reason shown to the person, stops the schedule and withdraws the consent", async () => {
    const alice = await person();
    await connect(alice, "garmin", { mode: "sandbox", nextSyncAt: 10 });
    await db.insert(consents).values({ id: `cns_${crypto.randomUUID()}`, userId: alice, sourceId: "garmin", scopes: "", grantedAt: 1 });
    await db.batch([...disconnectStatements(db, alice, "garmin", { reason: "Access was removed in your Garmin account.", now: 3000 })]);
    expect(await getConnection(db, alice, "garmin")).toMatchObject({
      status: "disconnected",
      nextSyncAt: null,
      syncCursor: null,
      lastError: "Access was removed in your Garmin account.",
    });
    const [consent] = await db.select().from(consents).where(eq(consents.userId, alice));
    expect(consent?.revokedAt).toBe(3000);
  });

  it("the cron claims a due connection once per lease", async () => {
    const alice = await person();
    const now = 4_000_000_000_000;
    const row = await connect(alice, "whoop", { mode: "sandbox", nextSyncAt: now - 1 });
    const first = await claimDueConnections(env.DB, { now, leaseMs: 60_000, limit: 500 });
    expect(first.filter((due) => due.id === row.id)).toEqual([{ id: row.id, userId: alice, sourceId: "whoop", syncCursor: null }]);
    expect((await claimDueConnections(env.DB, { now, leaseMs: 60_000, limit: 500 })).some((due) => due.id === row.id)).toBe(false);
    expect((await getConnection(db, alice, "whoop"))?.nextSyncAt).toBe(now + 60_000);
    expect((await claimDueConnections(env.DB, { now: now + 60_000, leaseMs: 60_000, limit: 500 })).some((due) => due.id === row.id)).toBe(true);
  });
});
