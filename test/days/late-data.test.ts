import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { userHubFor } from "../../durable-objects/user-hub";
import type { DayUpdatedMessage } from "../../src/days/messages";
import { storeRecords } from "../../src/sync/store-records";
import { recordingQueue } from "../helpers";
import { holdTokens } from "../records/inspect";
import { ouraSleep, whoopSleep } from "./nights";

const night12 = { start: "2022-07-12T01:05:14-07:00", end: "2022-07-12T09:25:14-07:00" };
const night13 = { start: "2022-07-13T00:40:00-07:00", end: "2022-07-13T08:10:00-07:00" };
const at = (iso: string) => Date.parse(iso);

it("late data recomputes the day and sends one message per real change; a replay or a day already final sends nothing", async () => {
  const person = `usr_days_late_${crypto.randomUUID().slice(0, 8)}`;
  await holdTokens(person, "oura");
  await holdTokens(person, "whoop");
  await userHubFor(env, person).setTimeZone(person, "America/Los_Angeles", "2022-01-01", at("2022-07-01T00:00:00Z"));
  const queue = recordingQueue<DayUpdatedMessage>();
  const store = (source: "oura" | "whoop", records: Parameters<typeof storeRecords>[3], now: string) =>
    storeRecords({ ...env, DAYS_QUEUE: queue }, person, source, records, at(now));

  await store("oura", ouraSleep(night12), "2022-07-12T17:00:00Z");
  expect(queue.sent.map((m) => [m.date, m.final, m.summary.sleep?.provenance.source])).toEqual([["2022-07-12", false, "oura"]]);

  await store("oura", ouraSleep(night12), "2022-07-12T17:15:00Z");
  expect(queue.sent).toHaveLength(1);

  // WHOOP's upload of the same night arrives hours later: the night is still counted once, now known to both.
  await store("whoop", whoopSleep(night12, "-07:00", { id: "w12" }), "2022-07-12T22:00:00Z");
  expect(queue.sent).toHaveLength(2);
  expect(queue.sent[1]!.summary.sleep?.provenance).toMatchObject({ source: "oura", also_from: ["whoop"] });
  expect(queue.sent[1]!.summary.sleep?.value.duration_s).toBe(25_200);
  expect(queue.sent[1]!.digest).not.toBe(queue.sent[0]!.digest);

  // Both sources have now sent the next night, from after the 12th ended: the 12th is final.
  await store("oura", ouraSleep(night13, "o13"), "2022-07-13T16:00:00Z");
  await store("whoop", whoopSleep(night13, "-07:00", { id: "w13" }), "2022-07-13T16:30:00Z");
  const finalMessage = queue.sent.find((m) => m.date === "2022-07-12" && m.final);
  expect(finalMessage).toBeDefined();
  const sentBefore = queue.sent.length;

  // A late rescoring of the 12th's night after it was final changes nothing the rest of Wellness OS has been told.
  const rescored = ouraSleep({ ...night12, end: "2022-07-12T10:25:14-07:00" });
  await store("oura", rescored, "2022-07-14T09:00:00Z");
  expect(queue.sent.slice(sentBefore).filter((m) => m.date === "2022-07-12")).toEqual([]);
  const { days } = await userHubFor(env, person).days(person, "2022-07-12", "2022-07-12", at("2022-07-14T10:00:00Z"));
  expect(days[0]).toEqual(finalMessage!.summary);
});
