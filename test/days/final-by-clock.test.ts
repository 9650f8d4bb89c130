import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { type UserHub, userHubFor } from "../../durable-objects/user-hub";
import type { DayUpdatedMessage } from "../../src/days/messages";
import { storeRecords } from "../../src/sync/store-records";
import { recordingQueue } from "../helpers";
import { holdTokens } from "../records/inspect";
import { ouraSleep } from "./nights";

// The 12th in Los Angeles ends at 07:00Z on the 13th; 72 hours later it is final whatever has not reported.
const night12 = { start: "2022-07-12T01:05:14-07:00", end: "2022-07-12T09:25:14-07:00" };
const deadline = Date.parse("2022-07-16T07:00:00Z");
const storedAt = Date.parse("2022-07-12T17:00:00Z");

/** A person whose Oura night of the 12th is stored while WHOOP, also connected, has sent nothing: the day stays open. */
async function openDay(name: string) {
  const person = `usr_days_${name}_${crypto.randomUUID().slice(0, 8)}`;
  await holdTokens(person, "oura");
  await holdTokens(person, "whoop");
  const stub = userHubFor(env, person);
  await stub.setTimeZone(person, "America/Los_Angeles", "2022-01-01", storedAt);
  const batchQueue = recordingQueue<DayUpdatedMessage>();
  const before = Date.now();
  await storeRecords({ ...env, DAYS_QUEUE: batchQueue }, person, "oura", ouraSleep(night12), storedAt);
  const after = Date.now();
  expect(batchQueue.sent.map((m) => [m.date, m.final])).toEqual([["2022-07-12", false]]);
  return { person, stub, armed: { from: before + (deadline - storedAt), to: after + (deadline - storedAt) } };
}

/** The object's alarm and its stored day, read from its storage. */
const inside = (stub: DurableObjectStub<UserHub>) =>
  runInDurableObject(stub, async (_hub: UserHub, state) => ({
    alarm: await state.storage.getAlarm(),
    day: state.storage.sql
      .exec<{ final: number; digest: string; announced: string | null }>("SELECT final, digest, announced FROM day_summaries WHERE date = '2022-07-12'")
      .one(),
  }));

/** The queue the object's alarm sends on. */
const alarmQueue = (stub: DurableObjectStub<UserHub>, queue: Queue) =>
  runInDurableObject(stub, (hub: UserHub) => {
    const internals = hub as unknown as { env: Env };
    internals.env = { ...internals.env, DAYS_QUEUE: queue };
  });

it("the alarm set for the open day's 72-hour deadline makes it final and sends its message once, with no new data", async () => {
  const { stub, armed } = await openDay("clock");
  const open = await inside(stub);
  expect(open.day.final).toBe(0);
  expect(open.alarm).toBeGreaterThanOrEqual(armed.from);
  expect(open.alarm).toBeLessThanOrEqual(armed.to);

  const queue = recordingQueue<DayUpdatedMessage>();
  await alarmQueue(stub, queue);
  // The platform's clock is years past the deadline: the alarm finds the day due.
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect(queue.sent.map((m) => [m.date, m.final, m.summary.sleep?.provenance.source])).toEqual([["2022-07-12", true, "oura"]]);
  const closed = await inside(stub);
  expect(closed.day).toMatchObject({ final: 1, announced: queue.sent[0]!.digest, digest: queue.sent[0]!.digest });
  // Nothing open, nothing owed: no alarm is left, and nothing more is sent.
  expect(closed.alarm).toBeNull();
  expect(await runDurableObjectAlarm(stub)).toBe(false);
  expect(queue.sent).toHaveLength(1);
});

it("a final message the queue refused stays owed and is sent on the retry alarm", async () => {
  const { stub } = await openDay("owed");
  await alarmQueue(stub, {
    async sendBatch() {
      throw new Error("queue unavailable");
    },
  } as unknown as Queue);
  const before = Date.now();
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  const refused = await inside(stub);
  expect(refused.day.final).toBe(1);
  expect(refused.day.announced).not.toBe(refused.day.digest);
  expect(refused.alarm).toBeGreaterThanOrEqual(before + 5 * 60_000);
  expect(refused.alarm).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

  const queue = recordingQueue<DayUpdatedMessage>();
  await alarmQueue(stub, queue);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect(queue.sent.map((m) => [m.date, m.final, m.digest])).toEqual([["2022-07-12", true, refused.day.digest]]);
  expect((await inside(stub)).day.announced).toBe(refused.day.digest);
});
