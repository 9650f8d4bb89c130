import { describe, expect, it } from "vitest";
import { normalizeDexcom } from "../../src/providers/dexcom/normalize";
import { GlucoseLive } from "../../views/glucose";
import { seedConnection } from "../helpers";
import { seedStoredRecords } from "../records/inspect";
import { DAY, DELAY, egvPage, HOUR, hub, T0, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: the card's readings from the record store", () => {
  it("finds the last reading and the hours before it, however long ago readings stopped", async () => {
    const userId = `usr_card_query_${crypto.randomUUID().slice(0, 8)}`;
    await seedConnection(userId, "dexcom", "connected");
    const lastDay = T0 - 7 * HOUR;
    // Two stretches of readings; the newest ended seven hours ago (beyond a six-hour look-back from now).
    for (const page of [egvPage(lastDay - DAY, 30, () => 90), egvPage(lastDay, 60, (index) => 200 - index)]) {
      await seedStoredRecords(userId, "dexcom", normalizeDexcom("egvs", page).records);
    }
    const points = await hub(userId).latestGlucose(userId);
    expect(points).toHaveLength(37);
    expect(points[0]!.time).toBe(lastDay - 3 * HOUR);
    expect(points.at(-1)).toEqual({ time: lastDay, mgdl: 200, trend: "fortyFiveUp", status: "ok" });
    expect(await hub("usr_nobody").latestGlucose("usr_nobody")).toEqual([]);

    const html = String(GlucoseLive({ points, now: T0, delayMs: DELAY }));
    expect(html).toContain("glucose-stale");
    expect(html).toContain(`As of <time datetime="${new Date(lastDay).toISOString()}">7 hours ago</time>`);
  });
});
