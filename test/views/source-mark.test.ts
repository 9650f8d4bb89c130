import { describe, expect, it } from "vitest";
import { CATALOG } from "../../src/domain/catalog";
import { SourceMark } from "../../views/marks";

// Marks are rendered once per isolate and reused (views/marks.tsx): what is reused must be exactly what was asked for.
describe("SourceMark", () => {
  it("draws each source in its own colour, the same every time it is asked", () => {
    const drawings = CATALOG.map((entry) => String(SourceMark({ id: entry.id, letters: entry.mark.letters, color: entry.mark.color })));
    for (const [i, entry] of CATALOG.entries()) {
      expect(drawings[i]).toContain(`fill="${entry.mark.color}"`);
      expect(String(SourceMark({ id: entry.id, letters: entry.mark.letters, color: entry.mark.color }))).toBe(drawings[i]);
    }
    expect(new Set(drawings).size).toBe(CATALOG.length);
  });

  it("keeps a size apart from the same mark at another size", () => {
    const entry = CATALOG[0]!;
    const small = String(SourceMark({ id: entry.id, letters: entry.mark.letters, color: entry.mark.color, size: 24 }));
    const large = String(SourceMark({ id: entry.id, letters: entry.mark.letters, color: entry.mark.color }));
    expect(small).toContain('width="24"');
    expect(large).toContain('width="40"');
  });

  it("draws a source without a glyph by its letters, escaped", () => {
    const mark = String(SourceMark({ id: "not-in-the-catalog", letters: "<A&B>", color: "#123456" }));
    expect(mark).toContain("&lt;A&amp;B&gt;");
    expect(mark).not.toContain("<A&B>");
  });
});
