import { describe, expect, it } from "vitest";
import { mgdlToMmoll } from "../../src/domain/units";
import { normalizeDexcom } from "../../src/providers/dexcom/normalize";
import { READING_INTERVAL_MS, STALE_URGENT_MS, STALE_WARN_MS, staleness } from "../../views/glucose";
import { get, seedConnection, signIn } from "../helpers";
import { seedStoredRecords } from "../records/inspect";
import { cardHtml, DELAY, egvPage, HOUR, MINUTE, setClock, T0, useStreamClock } from "./harness";

useStreamClock();

describe("Dexcom live stream: staleness", () => {
  it("is late 15 and stale 30 minutes after the next reading was due to be visible", () => {
    const latest = T0 - DELAY;
    const due = latest + READING_INTERVAL_MS + DELAY;
    expect([STALE_WARN_MS, STALE_URGENT_MS]).toEqual([15 * MINUTE, 30 * MINUTE]);
    expect(staleness(latest, due, DELAY)).toBe("fresh");
    expect(staleness(latest, due + 15 * MINUTE, DELAY)).toBe("fresh");
    expect(staleness(latest, due + 15 * MINUTE + 1, DELAY)).toBe("late");
    expect(staleness(latest, due + 30 * MINUTE, DELAY)).toBe("late");
    expect(staleness(latest, due + 30 * MINUTE + 1, DELAY)).toBe("stale");
    // Outside the US the same reading is on time for two hours longer.
    expect(staleness(latest, due + 2 * HOUR, 3 * HOUR)).toBe("fresh");
    expect(staleness(latest, due + 2 * HOUR + 30 * MINUTE + 1, 3 * HOUR)).toBe("stale");
    expect(staleness(null, due, DELAY)).toBe("stale");
  });

  it("shows the value, trend, as-of time and sparkline on the settings card, and warns when readings stop", async () => {
    const session = await signIn("card@stream.test");
    await seedConnection(session.userId, "dexcom", "connected");
    const latest = T0 - DELAY - 2 * MINUTE;
    const { records, skipped } = normalizeDexcom(
      "egvs",
      egvPage(latest, 37, (index) => 150 - index),
    );
    expect(skipped).toEqual([]);
    await seedStoredRecords(session.userId, "dexcom", records);
    const due = latest + READING_INTERVAL_MS + DELAY;

    // The settings page does not call the object: the card's live view is filled by its WebSocket, or on load by
    // the fragment route, which reads the person's record store.
    setClock(due);
    const page = cardHtml(await (await get("/settings", session)).text(), "dexcom");
    expect(page).toContain('hx-ws:connect="/live/dexcom"');
    expect(page).toContain('hx-get="/settings/live/dexcom" hx-trigger="load, every 300s"');
    expect(page).toContain('href="/settings/connections/dexcom"');
    expect(page).not.toContain('<span class="value">');

    const card = async (now: number) => {
      setClock(now);
      const response = await get("/settings/live/dexcom", session);
      expect(response.status).toBe(200);
      return response.text();
    };

    const fresh = await card(due + 10 * MINUTE);
    expect(fresh).toContain('class="glucose glucose-in-range glucose-fresh"');
    expect(fresh).toContain('<span class="value">150</span>');
    expect(fresh).toContain(`(${mgdlToMmoll(150)} mmol/L)`);
    expect(fresh).toMatch(/<span class="trend" title="rising slowly">\s*↗<span class="visually-hidden"> rising slowly<\/span><\/span>/);
    expect(fresh).toContain(`As of <time datetime="${new Date(latest).toISOString()}">1 hour ago</time>`);
    expect(fresh).toContain('aria-label="Last 3 hours: 37 readings"');
    expect(fresh).toMatch(/<path d="M0\.0,[\d.]+ L5\.0,[\d.]+/);
    expect(fresh).not.toContain('role="status"');

    const late = await card(due + 16 * MINUTE);
    expect(late).toContain("glucose-late");
    expect(late).toContain('<p class="reason" role="status">The next reading is more than 15 minutes late.</p>');
    expect(late).toContain('<span class="value">150</span>');

    const stale = await card(due + 31 * MINUTE);
    expect(stale).toContain("glucose-stale");
    expect(stale).toContain('<p class="reason urgent" role="status">No new readings for over 30 minutes past when one was due.</p>');
    expect(stale).toContain(`As of <time datetime="${new Date(latest).toISOString()}">2 hours ago</time>`);
  });
});
