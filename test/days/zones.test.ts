import { expect, it } from "vitest";
import { dateOf, dayWindow, startOfDay } from "../../src/days/zone";

const HOUR = 3_600_000;

it("a DST day is 23 or 25 hours long, starting at local midnight", () => {
  const la = [{ from: "2026-01-01", zone: "America/Los_Angeles" }];
  const spring = dayWindow("2026-03-08", la);
  expect(new Date(spring.start).toISOString()).toBe("2026-03-08T08:00:00.000Z");
  expect(spring.end - spring.start).toBe(23 * HOUR);
  const autumn = dayWindow("2026-11-01", la);
  expect(new Date(autumn.start).toISOString()).toBe("2026-11-01T07:00:00.000Z");
  expect(autumn.end - autumn.start).toBe(25 * HOUR);
  // 01:30 happens twice on 1 November; both belong to it.
  expect(dateOf(Date.parse("2026-11-01T08:30:00Z"), la)).toBe("2026-11-01");
  expect(dateOf(Date.parse("2026-11-01T09:30:00Z"), la)).toBe("2026-11-01");
});

it("where DST skips midnight the day starts at the first local instant (Santiago, 6 September 2026)", () => {
  // Chile moves clocks from 00:00 to 01:00 on the first Sunday of September: the day starts at 01:00 -03:00.
  expect(new Date(startOfDay("2026-09-06", "America/Santiago")).toISOString()).toBe("2026-09-06T04:00:00.000Z");
  expect(dayWindow("2026-09-06", [{ from: "2026-01-01", zone: "America/Santiago" }]).end - startOfDay("2026-09-06", "America/Santiago")).toBe(23 * HOUR);
});

it("flying east from New York to Paris makes the day of travel 18 hours, and days tile with no gap", () => {
  const trip = [
    { from: "2026-03-01", zone: "America/New_York" },
    { from: "2026-03-05", zone: "Europe/Paris" },
  ];
  const before = dayWindow("2026-03-04", trip);
  const after = dayWindow("2026-03-05", trip);
  expect(new Date(before.start).toISOString()).toBe("2026-03-04T05:00:00.000Z");
  expect(before.end).toBe(after.start);
  expect(new Date(after.start).toISOString()).toBe("2026-03-04T23:00:00.000Z");
  expect(before.end - before.start).toBe(18 * HOUR);
  // 23:30 UTC on the 4th is still evening in New York, but the person is in Paris, where it is past midnight.
  expect(dateOf(Date.parse("2026-03-04T23:30:00Z"), trip)).toBe("2026-03-05");
});
