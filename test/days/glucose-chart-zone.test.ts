import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { userHubFor } from "../../durable-objects/user-hub";
import { dexcomDateTime } from "../../src/providers/dexcom/api";
import egvs from "../../src/providers/dexcom/fixtures/v3-egvs.schema-derived.json";
import { normalizeDexcom } from "../../src/providers/dexcom/normalize";
import { chartTimeZone } from "../../src/routes/time-zone";
import { get, seedConnection, signIn } from "../helpers";
import { seedStoredRecords } from "../records/inspect";

it("picks the zone the person set for the chart's day, else the request's estimate", () => {
  const spans = [
    { from: "2026-01-01", zone: "Europe/Berlin" },
    { from: "2026-03-10", zone: "Asia/Tokyo" },
  ];
  expect(chartTimeZone([], Date.parse("2026-03-12T12:00:00Z"), "America/Chicago")).toBe("America/Chicago");
  expect(chartTimeZone(spans, Date.parse("2026-02-01T12:00:00Z"), "America/Chicago")).toBe("Europe/Berlin");
  // 16:00Z on the 9th is already the 10th in Tokyo, the day the person moved there.
  expect(chartTimeZone(spans, Date.parse("2026-03-09T16:00:00Z"), "UTC")).toBe("Asia/Tokyo");
  expect(chartTimeZone(spans, Date.parse("2026-03-09T12:00:00Z"), "UTC")).toBe("Europe/Berlin");
});

it("the glucose detail draws its times in the person's stored zone once they set one", async () => {
  const session = await signIn(`zone-${crypto.randomUUID().slice(0, 8)}@glucose.test`);
  await seedConnection(session.userId, "dexcom", "connected");
  // Dexcom's published EGV example, every 5 minutes over the last two hours.
  const latest = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  const records = Array.from({ length: 24 }, (_, i) => {
    const t = dexcomDateTime(latest - i * 5 * 60_000);
    return { ...egvs.records[0]!, recordId: `egv-zone-${i}`, systemTime: t, displayTime: t, value: 120 + i };
  });
  const { records: readings } = normalizeDexcom("egvs", { ...egvs, records });
  expect(readings).toHaveLength(24);
  await seedStoredRecords(session.userId, "dexcom", readings);

  // Tests have no request.cf.timezone: without a stored zone the chart is in UTC.
  const before = await (await get("/settings/connections/dexcom", session)).text();
  expect(before).toContain("times in UTC");

  await userHubFor(env, session.userId).setTimeZone(session.userId, "Asia/Kolkata", "2020-01-01");
  const after = await (await get("/settings/connections/dexcom", session)).text();
  expect(after).toContain("times in Asia/Kolkata");
  const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Asia/Kolkata" });
  expect(after).toContain(`to ${clock.format(latest)} (Asia/Kolkata)`);
});
