import type { RecordKind } from "./records";

/** The four numbers the connection detail view charts for each day. */
export interface DailySummary {
  date: string;
  sleepScore: number | null;
  readiness: number | null;
  steps: number | null;
  restingHeartRate: number | null;
}

export const SUMMARY_KINDS: readonly RecordKind[] = ["daily_sleep", "sleep_session", "readiness", "daily_activity", "resting_heart_rate"];

export interface StoredRecord {
  kind: string;
  startTime: number;
  endTime: number | null;
  data: string;
}

const day = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

/**
 * Folds stored records into one summary per day, oldest first, `days` long and ending today. Where a provider
 * has no dedicated daily number the closest measured one stands in (the main sleep's score for a sleep score;
 * readiness's resting heart rate, then the night's lowest, for resting heart rate). Missing stays missing.
 */
export function dailySummaries(records: readonly StoredRecord[], days: number, now: number): DailySummary[] {
  const byDate = new Map<string, DailySummary>();
  for (let i = days - 1; i >= 0; i--) {
    const date = day(now - i * 86_400_000);
    byDate.set(date, { date, sleepScore: null, readiness: null, steps: null, restingHeartRate: null });
  }
  const fallbackSleep = new Map<string, number>();
  const fallbackResting = new Map<string, number>();
  for (const record of records) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(record.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    const date = typeof data.date === "string" ? data.date : day(record.endTime ?? record.startTime);
    const summary = byDate.get(date);
    if (!summary) continue;
    const numberAt = (field: string) => {
      const value = data[field] as { value?: unknown } | number | undefined;
      return typeof value === "number" ? value : typeof value?.value === "number" ? value.value : null;
    };
    switch (record.kind) {
      case "daily_sleep":
        summary.sleepScore = numberAt("score");
        break;
      case "sleep_session":
        if (data.is_main_sleep !== false && numberAt("score") !== null) fallbackSleep.set(date, numberAt("score")!);
        if (numberAt("heart_rate_lowest") !== null && !fallbackResting.has(date)) fallbackResting.set(date, numberAt("heart_rate_lowest")!);
        break;
      case "readiness":
        summary.readiness = numberAt("score");
        if (numberAt("resting_heart_rate") !== null) fallbackResting.set(date, numberAt("resting_heart_rate")!);
        break;
      case "daily_activity":
        summary.steps = numberAt("step_count");
        break;
      case "resting_heart_rate":
        summary.restingHeartRate = numberAt("heart_rate");
        break;
    }
  }
  for (const summary of byDate.values()) {
    summary.sleepScore ??= fallbackSleep.get(summary.date) ?? null;
    summary.restingHeartRate ??= fallbackResting.get(summary.date) ?? null;
  }
  return [...byDate.values()];
}
