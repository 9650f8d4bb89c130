import { expect, it } from "vitest";
import { dailyPicture, type PictureInput } from "../../src/days/picture";
import { appleSleep, asStored, ouraReadiness, ouraSleep, whoopRecovery, whoopSleep } from "./nights";

const LA = [{ from: "2022-01-01", zone: "America/Los_Angeles" }];
const night = { start: "2022-07-12T01:05:14-07:00", end: "2022-07-12T09:25:14-07:00" };
// The strap and the phone saw the same night a few minutes apart.
const whoopNight = { start: "2022-07-12T00:58:00-07:00", end: "2022-07-12T09:20:00-07:00" };
const appleNight = { start: "2022-07-12T00:50:00-07:00", end: "2022-07-12T09:31:00-07:00" };

function picture(records: PictureInput["records"], overrides: PictureInput["overrides"] = {}) {
  return dailyPicture({
    from: "2022-07-12",
    to: "2022-07-12",
    zones: LA,
    records,
    glucose: new Map(),
    overrides,
    connected: ["oura", "whoop", "apple-health"],
    latest: {},
    now: Date.parse("2022-07-12T18:00:00Z"),
  })[0]!;
}

const stored = asStored({
  oura: [...ouraSleep(night), ...ouraReadiness("2022-07-12")],
  whoop: [...whoopSleep(whoopNight, "-07:00"), ...whoopRecovery(whoopNight, "-07:00")],
  "apple-health": appleSleep(appleNight, 7 * 3600 + 50 * 60),
});

it("the same night from Oura, WHOOP and Apple Health counts once, from the ring, and says the others had it", () => {
  const day = picture(stored);
  // Oura's example: 4170 s deep + 18750 s light + 2280 s REM = 7 h, in bed 8 h 20 min, efficiency 84%.
  expect(day.sleep?.value).toEqual({ duration_s: 25_200, efficiency_pct: 84, score: null, bedtime: night.start, wake: night.end });
  expect(day.sleep?.provenance).toMatchObject({ source: "oura", merged: true, also_from: ["whoop", "apple-health"], fell_back_from: [], chosen_by: "default" });
  expect(day.sleep?.provenance.record_ids).toHaveLength(1);
  expect(day.naps).toEqual([]);
  expect(day.bonus.lines.filter((line) => line.metric === "sleep")).toEqual([{ metric: "sleep", points: 3, text: "+3: slept 7 h, at least 7 h" }]);
});

it("readiness, resting heart rate and HRV each follow their own order across the same sources", () => {
  const day = picture(stored);
  expect(day.readiness?.value).toEqual({ score: 66 });
  expect(day.readiness?.provenance).toMatchObject({ source: "oura", also_from: ["whoop"] });
  // Oura's example night: lowest heart rate 48 and average HRV 117 ms; WHOOP's recovery says 64 / 31.8 and
  // Junction's Apple Health night 48 / 62.5 for the same night: counted once, from the ring.
  expect(day.resting_heart_rate).toMatchObject({ value: { bpm: 48 }, provenance: { source: "oura", also_from: ["whoop", "apple-health"] } });
  expect(day.hrv).toMatchObject({ value: { rmssd_ms: 117 }, provenance: { source: "oura", also_from: ["whoop", "apple-health"] } });
});

it("the person's choice of source for sleep wins over the default, and says so", () => {
  const day = picture(stored, { sleep: "whoop" });
  // WHOOP's example: light 14,905,851 + slow-wave 6,630,370 + REM 5,879,573 ms asleep, efficiency 91.7%, performance 98.
  expect(day.sleep?.value).toMatchObject({ duration_s: 27_415.794, efficiency_pct: 91.7, score: 98 });
  expect(day.sleep?.provenance).toMatchObject({ source: "whoop", chosen_by: "choice", also_from: ["oura", "apple-health"] });
});
