import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { storeRecords } from "../../src/sync/store-records";
import { ORIGIN, recordingQueue } from "../helpers";
import { holdTokens } from "../records/inspect";
import { ouraActivity, ouraSleep } from "./nights";

const api = (path: string, token: string | null = env.SERVICE_API_TOKEN) =>
  exports.default.fetch(`${ORIGIN}/api/v1${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });

it("GET /days needs the service token and answers 400 for a range over 366 days or a bad date, writing nothing", async () => {
  expect((await api("/users/u/days?from=2026-01-01&to=2026-01-02", null)).status).toBe(401);
  const tooLong = await api("/users/u/days?from=2025-01-01&to=2026-01-02");
  expect(tooLong.status).toBe(400);
  expect(await tooLong.json()).toMatchObject({ error: "invalid query", issues: [{ path: "to", message: "at most 366 days from from to to, both included" }] });
  expect((await api("/users/u/days?from=2024-01-01&to=2024-12-31")).status).toBe(200);
  expect((await api("/users/u/days?from=2026-02-30&to=2026-03-01")).status).toBe(400);
  expect((await api("/users/u/days?from=2026-03-02&to=2026-03-01")).status).toBe(400);
});

it("GET /days returns each day's summary, bonus and provenance", async () => {
  const person = `usr_days_api_${crypto.randomUUID().slice(0, 8)}`;
  await holdTokens(person, "oura");
  await storeRecords({ ...env, DAYS_QUEUE: recordingQueue() }, person, "oura", [
    ...ouraSleep({ start: "2022-07-12T01:05:14-07:00", end: "2022-07-12T09:25:14-07:00" }),
    ...ouraActivity("2022-07-12", 8_214),
  ]);
  const response = await api(`/users/${person}/days?from=2022-07-11&to=2022-07-12`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { days: { date: string; sleep: unknown; bonus: { points: number; lines: { text: string }[] }; final: boolean }[] };
  expect(body.days.map((d) => d.date)).toEqual(["2022-07-11", "2022-07-12"]);
  expect(body.days[0]!.sleep).toBeNull();
  expect(body.days[1]!.sleep).toMatchObject({
    value: { duration_s: 25_200 },
    provenance: { source: "oura", record_ids: [expect.stringMatching(/^rec_\d+$/)] },
  });
  expect(body.days[1]!.bonus).toMatchObject({
    points: 6,
    lines: [{ text: "+3: slept 7 h, at least 7 h" }, { text: "+2: 8,214 steps, 7,500 to 9,999" }, { text: "+1: 151 active minutes, at least 22" }],
  });
  expect(body.days[1]!.final).toBe(true);
});
