import { expect, it } from "vitest";
import { BONUS_CAP, wearableBonus } from "../../src/days/bonus";

it("each point is explained in words, and the day's total is capped", () => {
  const bonus = wearableBonus({ sleepSeconds: 7 * 3600 + 42 * 60, steps: 12_050, activeMinutes: 64, glucose: { inRange: 0.82, coverage: 0.95 } });
  expect(bonus.lines.map((line) => line.text)).toEqual([
    "+3: slept 7 h 42 min, at least 7 h",
    "+3: 12,050 steps, at least 10,000",
    "+1: 64 active minutes, at least 22",
    "+2: 82% of the day in range, at least 70%",
  ]);
  expect(bonus.lines.reduce((sum, line) => sum + line.points, 0)).toBe(9);
  expect(bonus.points).toBe(BONUS_CAP);
});

it("short sleep and few steps earn nothing, and say why; what is missing is not scored", () => {
  const bonus = wearableBonus({ sleepSeconds: 5 * 3600 + 10 * 60, steps: 3_100, activeMinutes: null, glucose: null });
  expect(bonus).toEqual({
    points: 0,
    cap: BONUS_CAP,
    lines: [
      { metric: "sleep", points: 0, text: "+0: slept 5 h 10 min, under 6 h" },
      { metric: "activity", points: 0, text: "+0: 3,100 steps, under 5,000" },
    ],
  });
  expect(wearableBonus({ sleepSeconds: 9.5 * 3600, steps: null, activeMinutes: null, glucose: null }).lines[0]!.text).toBe(
    "+2: slept 9 h 30 min, more than 9 h",
  );
  expect(wearableBonus({ sleepSeconds: 6.5 * 3600, steps: 7_499, activeMinutes: 21, glucose: null }).points).toBe(2);
});
