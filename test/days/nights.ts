import type { DayRecord } from "../../src/days/picture";
import type { NormalizedRecord } from "../../src/domain/records";
import junctionSleepDocs from "../../src/providers/junction/fixtures/summary-sleep.json";
import { normalizeJunction } from "../../src/providers/junction/normalize";
import ouraActivityDocs from "../../src/providers/oura/fixtures/daily_activity.docs-2022.json";
import ouraReadinessDocs from "../../src/providers/oura/fixtures/daily_readiness.docs-2022.json";
import ouraSleepDocs from "../../src/providers/oura/fixtures/sleep.docs-2022.json";
import { normalizeOura } from "../../src/providers/oura/normalize";
import whoopRecoveryDocs from "../../src/providers/whoop/fixtures/recovery-collection.json";
import whoopSleepDocs from "../../src/providers/whoop/fixtures/sleep-collection.json";
import { normalizeWhoop } from "../../src/providers/whoop/normalize";

/**
 * The same night from three sources, made from the providers' published examples (each fixture's source is in
 * its folder's SOURCES.md) run through the real normalizers, with only their times moved onto one night.
 */

export interface Night {
  /** Local bedtime and wake, ISO with the wearer's offset. */
  start: string;
  end: string;
}

/** Oura's documented sleep (v2 /sleep example), moved to the night. Its example has no total, so the stages' sum is it. */
export function ouraSleep(night: Night, id = "oura-night"): NormalizedRecord[] {
  const docs = structuredClone(ouraSleepDocs.data[0]!);
  const total = docs.deep_sleep_duration + docs.light_sleep_duration + docs.rem_sleep_duration;
  const item = { ...docs, id, bedtime_start: night.start, bedtime_end: night.end, day: night.end.slice(0, 10), total_sleep_duration: total };
  return normalizeOura("sleep", { data: [item], next_token: null }).records;
}

export function ouraReadiness(date: string, score = 66): NormalizedRecord[] {
  const item = { ...structuredClone(ouraReadinessDocs.data[0]!), id: `oura-readiness-${date}`, day: date, score, timestamp: `${date}T00:00:00+00:00` };
  return normalizeOura("daily_readiness", { data: [item], next_token: null }).records;
}

export function ouraActivity(date: string, steps: number): NormalizedRecord[] {
  const item = { ...structuredClone(ouraActivityDocs.data[0]!), id: `oura-activity-${date}`, day: date, steps, timestamp: `${date}T04:00:00-07:00` };
  return normalizeOura("daily_activity", { data: [item], next_token: null }).records;
}

/** WHOOP's documented sleep (v2 /activity/sleep example), moved to the night; `nap` as WHOOP marks it. */
export function whoopSleep(night: Night, offset: string, options: { id?: string; nap?: boolean } = {}): NormalizedRecord[] {
  const item = {
    ...structuredClone(whoopSleepDocs.records[0]!),
    id: options.id ?? "whoop-night",
    start: new Date(night.start).toISOString(),
    end: new Date(night.end).toISOString(),
    timezone_offset: offset,
    nap: options.nap ?? false,
  };
  return normalizeWhoop("sleep", { records: [item], next_token: null }).records;
}

/** WHOOP's documented recovery, scoring the given sleep (WHOOP's pull hands recoveries over with their sleeps). */
export function whoopRecovery(night: Night, offset: string, sleepId = "whoop-night"): NormalizedRecord[] {
  const recovery = { ...structuredClone(whoopRecoveryDocs.records[0]!), sleep_id: sleepId };
  const sleep = { id: sleepId, end: new Date(night.end).toISOString(), timezone_offset: offset };
  return normalizeWhoop("recovery", { page: { records: [recovery], next_token: null }, sleeps: [sleep] }).records;
}

/**
 * Apple Health's sleep as Junction delivers it: Junction's documented sleep summary (src/providers/junction/fixtures,
 * sources in its SOURCES.md) moved to the night, through the real Junction normalizer. Junction writes the times
 * in UTC and the phone's offset apart, so the night's day is the person's zone's to decide.
 */
export function appleSleep(night: Night, totalSeconds: number, id = "apple-night"): NormalizedRecord[] {
  const utc = (text: string) => new Date(text).toISOString().replace(".000Z", "+00:00");
  const item = { ...structuredClone(junctionSleepDocs.sleep[0]!), id, bedtime_start: utc(night.start), bedtime_stop: utc(night.end), total: totalSeconds };
  const { records, skipped } = normalizeJunction("sleep", { sleep: [item] });
  if (skipped.length > 0) throw new Error(skipped[0]!.reason);
  return records;
}

/** Records as the store hands them to the picture, with row ids, from several sources. */
export function asStored(bySource: Record<string, NormalizedRecord[]>): DayRecord[] {
  let id = 0;
  return Object.entries(bySource).flatMap(([source, records]) =>
    records.map((r) => ({ id: ++id, source, kind: r.kind, startTime: r.startTime, endTime: r.endTime, data: JSON.stringify(r.data) })),
  );
}
