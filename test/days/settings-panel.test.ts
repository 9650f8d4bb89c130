import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { userHubFor } from "../../durable-objects/user-hub";
import { addDays } from "../../src/days/zone";
import { storeRecords } from "../../src/sync/store-records";
import { get, postForm, recordingQueue, signIn } from "../helpers";
import { holdTokens } from "../records/inspect";
import { ouraSleep, whoopSleep } from "./nights";

async function personWithYesterday() {
  const session = await signIn();
  await holdTokens(session.userId, "oura");
  await holdTokens(session.userId, "whoop");
  const y = addDays(new Date().toISOString().slice(0, 10), -1);
  const night = { start: `${y}T00:30:00+00:00`, end: `${y}T08:10:00+00:00` };
  const days = { ...env, DAYS_QUEUE: recordingQueue() };
  await storeRecords(days, session.userId, "oura", ouraSleep(night));
  await storeRecords(days, session.userId, "whoop", whoopSleep(night, "Z"));
  return session;
}

it("the panel shows yesterday's sleep, where it came from, and the bonus in words; the slot on the settings page links to it", async () => {
  const session = await personWithYesterday();
  const settings = await (await get("/settings", session)).text();
  expect(settings).toContain('hx-get="/settings/days"');
  expect(settings).toContain('href="/settings/days"');

  const page = await get("/settings/days", session);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toMatch(/<th scope="row">Sleep<\/th><td>7 h, 84% efficient<\/td><td>Oura Ring<span class="meta"> \(also seen by WHOOP, counted once\)<\/span>/);
  expect(html).toContain("+3: slept 7 h, at least 7 h");
  expect(html).toContain('<label for="days-sleep">Sleep comes from</label>');
});

it("choosing a source the person has not connected is refused with 422 and nothing is written", async () => {
  const session = await personWithYesterday();
  const refused = await postForm("/settings/days", session, { sleep: "garmin", readiness: "whoop" }, { headers: { "HX-Request": "true" } });
  expect(refused.status).toBe(422);
  expect(await refused.text()).toContain("You have not connected Garmin");
  expect((await userHubFor(env, session.userId).daySettings(session.userId)).overrides).toEqual({});

  expect((await postForm("/settings/days", session, { time_zone: "Mars/Olympus" })).status).toBe(422);
  expect((await postForm("/settings/days", session, { sleep: "dexcom" })).status).toBe(422);

  // A zone at UTC all year (no DST): "yesterday" there is the UTC yesterday the nights were stored for, at any hour
  // the test runs (in Paris, after 23:00 UTC, it is already the next day).
  const saved = await postForm("/settings/days", session, { sleep: "whoop", time_zone: "Atlantic/Reykjavik" });
  expect(saved.status).toBe(200);
  const settings = await userHubFor(env, session.userId).daySettings(session.userId);
  expect(settings.overrides).toEqual({ sleep: "whoop" });
  expect(settings.zones.map((span) => span.zone)).toEqual(["Atlantic/Reykjavik"]);
  expect(await saved.text()).toMatch(/WHOOP<span class="meta"> \(your choice; also seen by Oura Ring, counted once\)/);
});
