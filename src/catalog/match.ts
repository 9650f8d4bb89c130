import MiniSearch from "minisearch";
import type { Category } from "../receipts/types.ts";
import { CATALOG_SEED, type CatalogSeedEntry } from "./seed.ts";

/**
 * Matches a purchased item's name to a catalog entry: MiniSearch (BM25 with fuzzy and prefix terms) over names
 * and synonyms finds candidates; the confidence is how much of a candidate's best name the item covers and how
 * much of the item that name explains. A person's corrections are aliases, matched exactly before any search.
 * In production Workers AI embeddings could re-rank the candidates; this module gives them their order.
 */

/** At or above: matched. Below: the item waits for the person's review. */
export const MATCH_THRESHOLD = 0.6;

export type CatalogMatch = { catalogItemId: string; name: string; kind: CatalogSeedEntry["kind"]; confidence: number; via: "alias" | "search" };

/** Words that describe an item's grade or pack rather than what it is. */
const NOISE_WORDS = new Set(
  "organic bio org fresh large small medium extra family value pack bag box jar tin can bottle original classic plain natural premium select choice raw whole new each per the and with of de la le du des von mit und di del en et a an for in".split(
    " ",
  ),
);

export function normalizeName(text: string): string {
  return terms(text).join(" ");
}

function terms(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKC")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 1 && !/^\d+$/.test(t) && !NOISE_WORDS.has(t))
    .map(stem);
}

/** Plural and simple inflections, so "bananas" meets "banana" and "tomatoes" meets "tomato". */
function stem(t: string): string {
  if (t.length > 4 && t.endsWith("ies")) return `${t.slice(0, -3)}y`;
  if (t.length > 4 && t.endsWith("oes")) return t.slice(0, -2);
  if (t.length > 3 && t.endsWith("s") && !t.endsWith("ss")) return t.slice(0, -1);
  return t;
}

function close(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length >= 5 && b.length >= 5 && (a.startsWith(b) || b.startsWith(a))) return true;
  if (Math.abs(a.length - b.length) > 1 || a.length < 5) return false;
  // One edit apart (a typo or a spelling: "yoghurt"/"yogurt" is one deletion).
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

function coverage(item: string[], name: string[]): number {
  if (!item.length || !name.length) return 0;
  const nameHit = name.filter((n) => item.some((t) => close(t, n))).length / name.length;
  const itemHit = item.filter((t) => name.some((n) => close(t, n))).length / item.length;
  return nameHit * (0.5 + 0.5 * itemHit);
}

type Doc = { id: string; name: string; synonyms: string };

export class CatalogMatcher {
  private readonly search: MiniSearch<Doc>;
  private readonly byId: Map<string, CatalogSeedEntry>;
  private readonly names: Map<string, string[][]>;

  constructor(entries: readonly CatalogSeedEntry[] = CATALOG_SEED) {
    this.byId = new Map(entries.map((e) => [e.id, e]));
    this.names = new Map(entries.map((e) => [e.id, [e.name, ...e.synonyms].map(terms).filter((t) => t.length)]));
    this.search = new MiniSearch<Doc>({
      fields: ["name", "synonyms"],
      storeFields: ["id"],
      processTerm: (term) => {
        const t = term.toLowerCase();
        return t.length > 1 && !NOISE_WORDS.has(t) ? stem(t) : null;
      },
      tokenize: (text) => text.split(/[^\p{L}\p{N}]+/u),
      searchOptions: { boost: { synonyms: 1.2 }, fuzzy: 0.2, prefix: (term) => term.length >= 4, combineWith: "OR" },
    });
    this.search.addAll(entries.map((e) => ({ id: e.id, name: e.name, synonyms: e.synonyms.join(" | ") })));
  }

  entry(id: string): CatalogSeedEntry | undefined {
    return this.byId.get(id);
  }

  /** The best entry for an item name, or null when nothing in the catalog resembles it. */
  match(itemName: string, category: Category | null = null, aliases?: ReadonlyMap<string, string>): CatalogMatch | null {
    const key = normalizeName(itemName);
    const aliased = aliases?.get(key);
    const aliasEntry = aliased ? this.byId.get(aliased) : undefined;
    if (aliasEntry) return { catalogItemId: aliasEntry.id, name: aliasEntry.name, kind: aliasEntry.kind, confidence: 1, via: "alias" };
    return this.candidates(itemName, category, 1)[0] ?? null;
  }

  /** Ranked candidates, best first, each with its confidence (for the review's "pick another entry"). */
  candidates(itemName: string, category: Category | null = null, limit = 5): CatalogMatch[] {
    const item = terms(itemName);
    if (!item.length) return [];
    const results = this.search.search(item.join(" ")).slice(0, 12);
    const scored = results.map((r) => {
      const entry = this.byId.get(r.id as string)!;
      let confidence = Math.max(0, ...this.names.get(entry.id)!.map((name) => coverage(item, name)));
      // A supplement line matched to a food (or the reverse) is less likely right.
      if (category && category !== "other" && category !== entry.kind) confidence *= 0.7;
      return {
        catalogItemId: entry.id,
        name: entry.name,
        kind: entry.kind,
        confidence: Math.round(confidence * 100) / 100,
        via: "search" as const,
        score: r.score,
      };
    });
    scored.sort((a, b) => b.confidence - a.confidence || b.score - a.score);
    return scored
      .filter((s) => s.confidence > 0)
      .slice(0, limit)
      .map(({ score: _score, ...match }) => match);
  }
}
