import { env } from "cloudflare:workers";
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CatalogMatcher, MATCH_THRESHOLD, normalizeName } from "../../src/catalog/match";
import { CATALOG_SEED } from "../../src/catalog/seed";
import { ensureCatalogItems } from "../../src/catalog/store";
import { database } from "../../src/db/client";
import { catalogItems } from "../../src/db/schema";

const matcher = new CatalogMatcher();

describe("the catalog", () => {
  it("holds a few hundred foods and supplements, each with a source and units", () => {
    expect(CATALOG_SEED.length).toBeGreaterThanOrEqual(200);
    expect(new Set(CATALOG_SEED.map((e) => e.id)).size).toBe(CATALOG_SEED.length);
    expect(CATALOG_SEED.filter((e) => e.kind === "supplement").length).toBeGreaterThanOrEqual(50);
    expect(CATALOG_SEED.every((e) => e.units.length > 0 && /USDA|NIH/.test(e.source))).toBe(true);
  });

  it("is seeded into D1 once, and a second call writes nothing", async () => {
    const db = database(env.DB);
    await ensureCatalogItems(db);
    await ensureCatalogItems(db);
    const [row] = await db.select({ n: count() }).from(catalogItems);
    expect(row?.n).toBe(CATALOG_SEED.length);
  });
});

describe("matching a purchased line to the catalog", () => {
  it.each([
    ["Organic Rolled Oats", "oats"],
    ["Kirkwood Organic Peanut Butter", "peanut-butter"],
    ["Greek Yoghurt Plain", "yogurt-greek"],
    ["Magnesium Glycinate", "magnesium-glycinate"],
    ["Omega-3 Fish Oil", "fish-oil"],
    ["Bergkäse gereift", "alpine-cheese"],
    ["Honeycrisp Apples", "apple"],
  ])("%s → %s, confidently", (name, id) => {
    const match = matcher.match(name);
    expect(match?.catalogItemId).toBe(id);
    expect(match!.confidence).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
  });

  it("finds nothing for things that are not food or supplements", () => {
    expect(matcher.match("Ceramic Pour-Over Dripper")).toBeNull();
    expect(matcher.match("Fluoride Toothpaste Mint")).toBeNull();
  });

  it("is unsure of an abbreviation, which then waits for review", () => {
    const match = matcher.match("PB CRUNCHY");
    expect(match === null || match.confidence < MATCH_THRESHOLD).toBe(true);
  });

  it("trusts a supplement line less when the best entry is a food", () => {
    const asFood = matcher.match("Lemon", "food")!;
    const asSupplement = matcher.match("Lemon", "supplement")!;
    expect(asSupplement.confidence).toBeLessThan(asFood.confidence);
  });

  it("uses a person's correction, as an alias, before any search", () => {
    const aliases = new Map([[normalizeName("PB CRUNCHY"), "peanut-butter"]]);
    expect(matcher.match("pb  crunchy", null, aliases)).toMatchObject({ catalogItemId: "peanut-butter", confidence: 1, via: "alias" });
  });

  it("ranks other candidates for the review's picker", () => {
    const candidates = matcher.candidates("Almond Milk", null, 5);
    expect(candidates[0]?.catalogItemId).toBe("almond-milk");
    expect(candidates.length).toBeGreaterThan(1);
  });
});
