import { expect, it } from "vitest";
import { dailyPicture, type PictureInput } from "../../src/days/picture";
import { appleSleep, asStored, ouraActivity, ouraSleep, whoopSleep } from "./nights";

const LA = [{ from: "2022-01-01", zone: "America/Los_Angeles" }];

function days(records: PictureInput["records"], connected = ["oura", "whoop", "apple-health"]) {
  return dailyPicture({
    from: "2022-07-12",
    to: "2022-07-13",
    zones: LA,
    records,
    glucose: new Map(),
    overrides: {},
    connected,
    latest: {},
    now: Date.parse("2022-07-14T18:00:00Z"),
  });
}

it("an afternoon nap is a session of its own, not part of the night, and not counted in the night's sleep", () => {
  const records = asStored({
    oura: ouraSleep({ start: "2022-07-12T01:05:14-07:00", end: "2022-07-12T09:25:14-07:00" }),
    whoop: whoopSleep({ start: "2022-07-12T14:10:00-07:00", end: "2022-07-12T14:55:00-07:00" }, "-07:00", { id: "whoop-nap", nap: true }),
  });
  const [day] = days(records);
  expect(day!.sleep?.value.duration_s).toBe(25_200);
  expect(day!.sleep?.provenance).toMatchObject({ source: "oura", merged: false, also_from: [] });
  expect(day!.naps).toHaveLength(1);
  expect(day!.naps[0]).toMatchObject({ start: "2022-07-12T14:10:00.000-07:00", end: "2022-07-12T14:55:00.000-07:00", provenance: { source: "whoop" } });
});

it("a day the ring has nothing for falls back to the strap, and names the ring as the source it fell back from", () => {
  const records = asStored({
    oura: ouraSleep({ start: "2022-07-12T01:05:14-07:00", end: "2022-07-12T09:25:14-07:00" }),
    // The next night the ring was charging: only WHOOP and the phone saw it.
    whoop: whoopSleep({ start: "2022-07-12T23:30:00-07:00", end: "2022-07-13T07:00:00-07:00" }, "-07:00", { id: "whoop-13" }),
    "apple-health": appleSleep({ start: "2022-07-12T23:20:00-07:00", end: "2022-07-13T07:05:00-07:00" }, 7 * 3600, "apple-13"),
  });
  const [, second] = days(records);
  expect(second!.sleep?.provenance).toMatchObject({ source: "whoop", fell_back_from: ["oura"], also_from: ["apple-health"], merged: true });
});

it("steps come from the device that counted the most that day, unless the person chose one", () => {
  const records = asStored({ oura: ouraActivity("2022-07-12", 6_200) });
  records.push({
    id: 99,
    source: "garmin",
    kind: "daily_activity",
    startTime: Date.parse("2022-07-12T07:00:00Z"),
    endTime: null,
    data: JSON.stringify({ date: "2022-07-12", step_count: { value: 11_480, unit: "steps" }, active_minutes: { value: 48, unit: "min" } }),
  });
  const [day] = days(records, ["oura", "garmin"]);
  expect(day!.activity).toMatchObject({ value: { steps: 11_480, active_minutes: 48 }, provenance: { source: "garmin", also_from: ["oura"] } });
  expect(day!.bonus.lines.filter((l) => l.metric === "activity").map((l) => l.text)).toEqual([
    "+3: 11,480 steps, at least 10,000",
    "+1: 48 active minutes, at least 22",
  ]);
});

it("a nap only the phone saw stays the phone's when the person chose another source for sleep", () => {
  const records = asStored({
    oura: ouraSleep({ start: "2022-07-12T01:05:14-07:00", end: "2022-07-12T09:25:14-07:00" }),
    "apple-health": appleSleep({ start: "2022-07-12T15:00:00-07:00", end: "2022-07-12T15:40:00-07:00" }, 40 * 60, "phone-nap"),
  });
  const [day] = dailyPicture({
    from: "2022-07-12",
    to: "2022-07-12",
    zones: LA,
    records,
    glucose: new Map(),
    overrides: { sleep: "whoop" },
    connected: ["oura", "whoop", "apple-health"],
    latest: {},
    now: Date.parse("2022-07-14T18:00:00Z"),
  });
  expect(day!.naps.map((nap) => [nap.duration_s, nap.provenance.source])).toEqual([[2400, "apple-health"]]);
  // WHOOP was chosen and connected but had nothing: the ring's night stands, and says WHOOP had nothing.
  expect(day!.sleep?.provenance).toMatchObject({ source: "oura", fell_back_from: ["whoop"], chosen_by: "default" });
});
