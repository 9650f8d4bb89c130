import { describe, expect, it } from "vitest";
import { BarChart, CHART_WIDTH, niceTicks } from "../../views/charts";
import { GlucoseDay } from "../../views/glucose-detail";

const days = (values: (number | null)[]) => values.map((value, i) => ({ label: `2026-11-${String(16 + i).padStart(2, "0")}`, value }));
const render = (node: unknown) => String(node);

describe("the detail charts", () => {
  it("picks round ticks that cover the values", () => {
    expect(niceTicks(0, 12_345, 4)).toEqual([0, 5000, 10_000, 15_000]);
    expect(niceTicks(0, 100, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(52, 66, 3)).toEqual([50, 55, 60, 65, 70]);
  });

  it("draws gridlines and every tick, and leaves room for a five-digit label left of the axis", () => {
    const svg = render(BarChart({ id: "s", title: "Steps", unit: "steps", points: days([9000, 10_400, null, 8000]), floor: 1000 }));
    expect(svg).not.toContain("preserveAspectRatio");
    for (const tick of ["0", "5,000", "10,000", "15,000"]) expect(svg).toContain(`class="tick">${tick}</text>`);
    expect((svg.match(/class="grid"/g) ?? []).length).toBe(3);
    // Right-aligned at x = 40 at 12 units per glyph: "10,000" (6 glyphs, ~7 units each) starts right of 0.
    const anchor = Number(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end" class="tick">10,000/.exec(svg)?.[1]);
    expect(anchor - 6 * 7).toBeGreaterThan(0);
    // The last day's label stays inside the drawing.
    const lastX = Math.max(...[...svg.matchAll(/<text x="([\d.]+)" y="174" text-anchor="middle" class="tick">/g)].map((m) => Number(m[1])));
    expect(lastX + 14).toBeLessThanOrEqual(CHART_WIDTH);
  });

  it("draws resting heart rate as a line on an axis fitted to the values, not bars from zero", () => {
    const svg = render(BarChart({ id: "r", title: "Resting heart rate", unit: "beats/min", points: days([58, 61, null, 63]), style: "line" }));
    expect(svg).not.toContain('class="bar"');
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ M[\d.]+,[\d.]+" class="line">/);
    expect(svg).not.toContain('class="tick">0</text>');
    expect(svg).toContain('class="tick">55</text>');
  });
});

describe("the glucose day", () => {
  const end = Date.UTC(2026, 10, 29, 20, 0);
  const points = Array.from({ length: 288 }, (_, i) => ({ time: end - i * 300_000, mgdl: 110 + (i % 20), trend: "flat" })).reverse();

  it("labels its time axis in the person's time zone and names the zone", () => {
    const svg = render(GlucoseDay({ points, end, timeZone: "America/New_York" }));
    expect(svg).toContain("times in America/New York");
    // 20:00 UTC is 15:00 in New York: labels land on 18:00, 00:00, 06:00, 12:00 New York time.
    const labels = [...svg.matchAll(/text-anchor="middle" class="tick">(\d\d:\d\d)</g)].map((m) => m[1]);
    expect(labels).toEqual(["18:00", "00:00", "06:00", "12:00"]);
    expect(svg).toContain("to 15:00 (America/New York)");
  });

  it("keeps UTC when it knows no zone, and says so", () => {
    const svg = render(GlucoseDay({ points, end }));
    expect(svg).toContain("times in UTC");
    expect([...svg.matchAll(/text-anchor="middle" class="tick">(\d\d:\d\d)</g)].map((m) => m[1])).toEqual(["00:00", "06:00", "12:00", "18:00"]);
  });
});

describe("a chart with nothing measured", () => {
  it("says so in one line instead of drawing an empty grid", () => {
    const html = render(BarChart({ id: "x", title: "Readiness", unit: "score", points: days([null, null, null]) }));
    expect(html).toContain('<p class="muted">No data in the last 3 days.</p>');
    expect(html).not.toContain("<svg");
  });
});
