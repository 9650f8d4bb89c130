import { expect, it } from "vitest";
import { dailyPicture } from "../../src/days/picture";
import { appleSleep, asStored, ouraSleep } from "./nights";

const trip = [
  { from: "2026-03-01", zone: "America/New_York" },
  { from: "2026-03-05", zone: "Europe/Paris" },
];

function picture(records: ReturnType<typeof asStored>) {
  return dailyPicture({
    from: "2026-03-04",
    to: "2026-03-06",
    zones: trip,
    records,
    glucose: new Map(),
    overrides: {},
    connected: ["oura", "apple-health"],
    latest: {},
    now: Date.parse("2026-03-06T18:00:00Z"),
  });
}

it("while travelling, a night is filed under the day the wearer woke where they were", () => {
  // The first night in Paris: the ring writes the local offset (+01:00); the phone's, through Junction, is in UTC.
  const records = asStored({
    oura: ouraSleep({ start: "2026-03-05T23:10:00+01:00", end: "2026-03-06T07:30:00+01:00" }, "paris-1"),
    "apple-health": appleSleep({ start: "2026-03-05T22:05:00Z", end: "2026-03-06T06:40:00Z" }, 7.5 * 3600, "paris-1-phone"),
  });
  const [fourth, fifth, sixth] = picture(records);
  expect(fourth!.time_zone).toBe("America/New_York");
  expect(fifth!.time_zone).toBe("Europe/Paris");
  expect(fourth!.sleep).toBeNull();
  expect(fifth!.sleep).toBeNull();
  expect(sixth!.sleep?.provenance).toMatchObject({ source: "oura", also_from: ["apple-health"] });
  expect(sixth!.sleep?.value.wake).toBe("2026-03-06T07:30:00+01:00");
});

it("a night in UTC times alone is filed by the person's time zone on that day", () => {
  // Flying out on the 4th: a sleep that ended at 06:00 UTC is 01:00 in New York on the 4th, 07:00 in Paris on the 5th.
  const records = asStored({ "apple-health": appleSleep({ start: "2026-03-04T22:30:00Z", end: "2026-03-05T06:00:00Z" }, 7 * 3600, "plane") });
  const [fourth, fifth] = picture(records);
  expect(fourth!.sleep).toBeNull();
  expect(fifth!.sleep?.value.duration_s).toBe(7 * 3600);
});
