import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { userHubFor } from "../../durable-objects/user-hub";
import egvs from "../../src/providers/dexcom/fixtures/v3-egvs.schema-derived.json";
import { normalizeDexcom } from "../../src/providers/dexcom/normalize";
import { storeRecords } from "../../src/sync/store-records";
import { recordingQueue } from "../helpers";
import { holdTokens } from "../records/inspect";

/** A day of readings every 5 minutes from Dexcom's published EGV example, with the values given. */
function readings(startUtc: string, values: number[]) {
  const example = egvs.records[0]!;
  const start = Date.parse(startUtc);
  const records = values.map((value, i) => {
    const t = new Date(start + i * 5 * 60_000).toISOString().slice(0, 19);
    return { ...example, recordId: `egv-${i}`, systemTime: t, displayTime: t, value };
  });
  return normalizeDexcom("egvs", { ...egvs, records }).records;
}

it("a CGM day gives time in range, mean and GMI over the person's local day, and points only with enough readings", async () => {
  const person = `usr_days_cgm_${crypto.randomUUID().slice(0, 8)}`;
  await holdTokens(person, "dexcom");
  const hub = userHubFor(env, person);
  await hub.setTimeZone(person, "Europe/Berlin", "2026-01-01", Date.parse("2026-01-01T00:00:00Z"));
  // 2026-03-10 in Berlin is 23:00Z on the 9th to 23:00Z on the 10th: 288 readings, 216 in range (75%).
  const values = Array.from({ length: 288 }, (_, i) => (i < 216 ? 110 : i < 252 ? 200 : 60));
  await storeRecords({ ...env, DAYS_QUEUE: recordingQueue() }, person, "dexcom", readings("2026-03-09T23:00:00Z", values), Date.parse("2026-03-11T12:00:00Z"));

  const { days } = await hub.days(person, "2026-03-10", "2026-03-10", Date.parse("2026-03-11T12:00:00Z"));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  expect(days[0]!.glucose?.value).toEqual({
    time_in_range_pct: 75,
    mean_mgdl: Math.round(mean),
    gmi_pct: Math.round((3.31 + 0.02392 * mean) * 10) / 10,
    readings: 288,
    coverage_pct: 100,
  });
  expect(days[0]!.glucose?.provenance.source).toBe("dexcom");
  expect(days[0]!.bonus.lines).toEqual([{ metric: "glucose", points: 2, text: "+2: 75% of the day in range, at least 70%" }]);

  // Half a day of readings the next day: shown, but too little for points.
  await storeRecords(
    { ...env, DAYS_QUEUE: recordingQueue() },
    person,
    "dexcom",
    readings("2026-03-10T23:00:00Z", values.slice(0, 144)),
    Date.parse("2026-03-11T12:00:00Z"),
  );
  const next = (await hub.days(person, "2026-03-11", "2026-03-11", Date.parse("2026-03-11T12:00:00Z"))).days[0]!;
  expect(next.glucose?.value.coverage_pct).toBe(50);
  expect(next.bonus.points).toBe(0);
  expect(next.bonus.lines[0]!.text).toBe("+0: glucose readings cover 50% of the day, under 70%");
});
