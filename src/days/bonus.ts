import type { Metric } from "./precedence";

/**
 * The wearable bonus: points per metric from public guidance (citations and reasons in docs/daily-picture.md),
 * each explained in words, summed and capped. Metrics without public thresholds (readiness, HRV, resting heart
 * rate: vendor scales and personal baselines) earn no points; they are shown, not scored.
 */

/** The most a day can earn: what sleep, steps and active minutes give together, so a CGM adds no advantage. */
export const BONUS_CAP = 7;

export interface BonusLine {
  metric: Metric;
  points: number;
  text: string;
}

export interface Bonus {
  points: number;
  cap: number;
  lines: BonusLine[];
}

export interface BonusInputs {
  sleepSeconds: number | null;
  steps: number | null;
  activeMinutes: number | null;
  /** Time in range, 0–1, and the share of the day's expected readings that arrived. */
  glucose: { inRange: number; coverage: number } | null;
}

export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const plus = (points: number) => (points > 0 ? `+${points}` : "+0");
const grouped = (n: number) => Math.round(n).toLocaleString("en-US");

function sleepLine(seconds: number): BonusLine {
  const slept = `slept ${formatDuration(seconds)}`;
  const hours = seconds / 3600;
  // AASM/SRS consensus (Watson et al. 2015): adults should sleep 7 or more hours; NSF (Hirshkowitz et al. 2015): 7–9 h.
  if (hours >= 7 && hours <= 9) return { metric: "sleep", points: 3, text: `${plus(3)}: ${slept}, at least 7 h` };
  if (hours > 9) return { metric: "sleep", points: 2, text: `${plus(2)}: ${slept}, more than 9 h` };
  if (hours >= 6) return { metric: "sleep", points: 1, text: `${plus(1)}: ${slept}, 6 to 7 h` };
  return { metric: "sleep", points: 0, text: `${plus(0)}: ${slept}, under 6 h` };
}

function stepsLine(steps: number): BonusLine {
  const walked = `${grouped(steps)} steps`;
  // Tudor-Locke & Bassett 2004 bands; Paluch et al. 2022: mortality falls up to 6,000–10,000 steps a day by age.
  if (steps >= 10_000) return { metric: "activity", points: 3, text: `${plus(3)}: ${walked}, at least 10,000` };
  if (steps >= 7_500) return { metric: "activity", points: 2, text: `${plus(2)}: ${walked}, 7,500 to 9,999` };
  if (steps >= 5_000) return { metric: "activity", points: 1, text: `${plus(1)}: ${walked}, 5,000 to 7,499` };
  return { metric: "activity", points: 0, text: `${plus(0)}: ${walked}, under 5,000` };
}

/** WHO 2020: 150–300 minutes of moderate activity a week, about 22 a day. */
const ACTIVE_MINUTES_A_DAY = 22;

function activeLine(minutes: number): BonusLine {
  const moved = `${Math.round(minutes)} active minutes`;
  return minutes >= ACTIVE_MINUTES_A_DAY
    ? { metric: "activity", points: 1, text: `${plus(1)}: ${moved}, at least ${ACTIVE_MINUTES_A_DAY}` }
    : { metric: "activity", points: 0, text: `${plus(0)}: ${moved}, under ${ACTIVE_MINUTES_A_DAY}` };
}

/** A day's time in range counts only with at least this share of its readings (Battelino 2019: ≥ 70% CGM wear). */
const GLUCOSE_COVERAGE = 0.7;

function glucoseLine(inRange: number, coverage: number): BonusLine {
  const pct = Math.round(inRange * 100);
  if (coverage < GLUCOSE_COVERAGE)
    return { metric: "glucose", points: 0, text: `${plus(0)}: glucose readings cover ${Math.round(coverage * 100)}% of the day, under 70%` };
  // International consensus on time in range (Battelino et al. 2019): more than 70% in 70–180 mg/dL.
  if (pct >= 70) return { metric: "glucose", points: 2, text: `${plus(2)}: ${pct}% of the day in range, at least 70%` };
  if (pct >= 50) return { metric: "glucose", points: 1, text: `${plus(1)}: ${pct}% of the day in range, 50 to 69%` };
  return { metric: "glucose", points: 0, text: `${plus(0)}: ${pct}% of the day in range, under 50%` };
}

export function wearableBonus(inputs: BonusInputs): Bonus {
  const lines: BonusLine[] = [];
  if (inputs.sleepSeconds !== null) lines.push(sleepLine(inputs.sleepSeconds));
  if (inputs.steps !== null) lines.push(stepsLine(inputs.steps));
  if (inputs.activeMinutes !== null) lines.push(activeLine(inputs.activeMinutes));
  if (inputs.glucose) lines.push(glucoseLine(inputs.glucose.inRange, inputs.glucose.coverage));
  const sum = lines.reduce((total, line) => total + line.points, 0);
  return { points: Math.min(BONUS_CAP, sum), cap: BONUS_CAP, lines };
}
