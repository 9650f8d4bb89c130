import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import {
  chunkWindow,
  type DexcomContext,
  dexcomDateTime,
  getCalibrations,
  getDataRange,
  getDevices,
  getEgvs,
  getEvents,
  MAX_WINDOW_MS,
  parseDexcomTime,
} from "./api";
import alerts from "./fixtures/v3-alerts.response.json";
import devices from "./fixtures/v3-devices.truncated.response.json";
import events from "./fixtures/v3-events.response.json";
import { normalizeDexcom } from "./normalize";

const DAY_MS = 86_400_000;

/** A DexcomContext that records the URLs asked for and answers with `body`. */
function recordingContext(host: string, body: string | object = { recordType: "egv", recordVersion: "3.0", userId: "u", records: [] }) {
  const urls: URL[] = [];
  const ctx: DexcomContext = {
    host,
    request: async (url) => {
      urls.push(new URL(url));
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
    },
  };
  return { ctx, urls };
}

describe("Dexcom date-times", () => {
  it("formats query times as Dexcom documents them: UTC, whole seconds, no offset", () => {
    expect(dexcomDateTime(Date.UTC(2022, 1, 6, 9, 12, 35, 999))).toBe("2022-02-06T09:12:35");
  });

  it("parses every form the official samples use, a time without offset being UTC", () => {
    // Strings taken from the official v3 samples saved under fixtures/.
    expect(parseDexcomTime("2021-06-01T01:10:08")).toBe(Date.UTC(2021, 5, 1, 1, 10, 8));
    expect(parseDexcomTime(events.records[0]!.systemTime)).toBe(Date.UTC(2022, 1, 6, 9, 12, 35));
    expect(parseDexcomTime(events.records[0]!.displayTime)).toBe(Date.UTC(2022, 1, 6, 9, 12, 35));
    expect(parseDexcomTime(alerts.records[0]!.systemTime)).toBe(Date.UTC(2022, 11, 5, 15, 0, 25, 438));
    const setting = devices.records[0]!.alertSchedules[0]!;
    expect(parseDexcomTime(setting.alertScheduleSettings.override.endTime)).toBe(Date.UTC(2021, 6, 5, 17, 49, 22, 123));
    // A seconds-precision offset (-06:59:59) appears in Dexcom's devices sample.
    expect(parseDexcomTime(setting.alertSettings[0]!.displayTime)).toBe(Date.UTC(2021, 3, 5, 17, 52, 47));
  });

  it("refuses what is not a date-time instead of guessing", () => {
    for (const text of [
      "",
      "2022-02-06",
      "2022-13-01T00:00:00",
      "2022-02-30T00:00:00",
      "2022-02-06T24:00:00",
      "yesterday",
      "2022-02-06 09:12:35",
      "0099-01-01T00:00:00",
    ]) {
      expect(parseDexcomTime(text), text).toBeNull();
    }
  });
});

describe("chunkWindow", () => {
  it("splits a long window into contiguous chunks of at most 30 days, oldest first", () => {
    const start = Date.UTC(2024, 0, 1, 0, 0, 0, 250);
    const chunks = chunkWindow({ start, end: start + 65 * DAY_MS });
    expect(chunks).toHaveLength(3);
    expect(chunks[0]!.start).toBe(Date.UTC(2024, 0, 1));
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.end - chunk.start).toBeLessThanOrEqual(MAX_WINDOW_MS);
      if (i > 0) expect(chunk.start).toBe(chunks[i - 1]!.end);
    }
    expect(chunks.at(-1)!.end).toBeGreaterThanOrEqual(start + 65 * DAY_MS);
  });

  it("keeps a window of 30 days in one request", () => {
    const start = Date.UTC(2024, 0, 1);
    expect(chunkWindow({ start, end: start + MAX_WINDOW_MS })).toEqual([{ start, end: start + MAX_WINDOW_MS }]);
  });
});

describe("Dexcom data calls", () => {
  it("asks the configured regional host for each endpoint with startDate/endDate", async () => {
    const { ctx, urls } = recordingContext("https://api.dexcom.eu");
    const window = { start: Date.UTC(2024, 4, 1, 10, 0, 0, 500), end: Date.UTC(2024, 4, 2, 10, 0, 0, 1) };
    await getEgvs(ctx, window);
    await getCalibrations(ctx, window);
    await getEvents(ctx, window);
    expect(urls.map((u) => `${u.origin}${u.pathname}`)).toEqual([
      "https://api.dexcom.eu/v3/users/self/egvs",
      "https://api.dexcom.eu/v3/users/self/calibrations",
      "https://api.dexcom.eu/v3/users/self/events",
    ]);
    for (const url of urls) {
      // Start rounded down and end rounded up to whole seconds, so the request covers the whole window.
      expect(url.searchParams.get("startDate")).toBe("2024-05-01T10:00:00");
      expect(url.searchParams.get("endDate")).toBe("2024-05-02T10:00:01");
    }
  });

  it("refuses to ask for more than 30 days at once", async () => {
    const { ctx, urls } = recordingContext("https://api.dexcom.com");
    const start = Date.UTC(2024, 0, 1);
    await expect(getEgvs(ctx, { start, end: start + MAX_WINDOW_MS + 1000 })).rejects.toThrow(RangeError);
    expect(urls).toHaveLength(0);
  });

  it("sends lastSyncTime with an offset and parses the dataRange answer", async () => {
    const body = {
      recordType: "dataRange",
      recordVersion: "3.0",
      userId: "u1",
      egvs: {
        start: { systemTime: "2024-01-01T00:02:35", displayTime: "2023-12-31T19:02:35-05:00" },
        end: { systemTime: "2024-01-20T11:57:35", displayTime: "x" },
      },
    };
    const { ctx, urls } = recordingContext("https://api.dexcom.com", body);
    const range = await getDataRange(ctx, Date.UTC(2024, 0, 10, 8, 30, 0));
    expect(urls[0]!.pathname).toBe("/v3/users/self/dataRange");
    expect(urls[0]!.searchParams.get("lastSyncTime")).toBe("2024-01-10T08:30:00Z");
    // Kinds without data are absent from the answer: they come back as null, not as an empty span.
    expect(range).toEqual({
      userId: "u1",
      egvs: { start: Date.UTC(2024, 0, 1, 0, 2, 35), end: Date.UTC(2024, 0, 20, 11, 57, 35) },
      calibrations: null,
      events: null,
    });
  });

  it("asks /devices without a window", async () => {
    const { ctx, urls } = recordingContext("https://api.dexcom.jp", devices);
    expect(await getDevices(ctx)).toEqual(devices);
    expect(urls[0]!.href).toBe("https://api.dexcom.jp/v3/users/self/devices");
  });

  it("hands a body that is not JSON to normalize as text, which rejects it; dataRange rejects it at once", async () => {
    const { ctx } = recordingContext("https://api.dexcom.com", "<html>maintenance</html>");
    const body = await getEgvs(ctx, { start: 0, end: 60_000 });
    expect(body).toBe("<html>maintenance</html>");
    expect(() => normalizeDexcom("egvs", body)).toThrow(MalformedPayloadError);
    await expect(getDataRange(ctx)).rejects.toThrow(MalformedPayloadError);
  });

  it("rejects a dataRange answer with an unparseable time", async () => {
    const bad = {
      recordType: "dataRange",
      recordVersion: "3.0",
      userId: "u",
      egvs: { start: { systemTime: "soon" }, end: { systemTime: "2024-01-01T00:00:00" } },
    };
    const { ctx } = recordingContext("https://api.dexcom.com", bad);
    await expect(getDataRange(ctx)).rejects.toThrow(MalformedPayloadError);
  });
});
