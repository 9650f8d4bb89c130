import { ParsedReceipt } from "./types.ts";

/**
 * Scores parsed receipts against labelled truth (issue 15's measures): detection precision and recall; exact-match
 * rates over the truly-receipt messages for merchant, order id, date, currency and total (±0.01); item precision
 * and recall, an item matching when its name's token Jaccard is ≥ 0.6 and its quantity is equal; category accuracy
 * over matched items.
 */

export type Pair = { name: string; parsed: ParsedReceipt; truth: ParsedReceipt };

export type Scores = {
  messages: number;
  receipts: number;
  detection: { precision: number; recall: number };
  exact: { merchant: number; order_id: number; order_date: number; currency: number; total: number };
  items: { precision: number; recall: number; f1: number; predicted: number; truth: number; matched: number };
  category: number;
  misses: string[];
};

export const tokens = (s: string) =>
  new Set(
    s
      .toLowerCase()
      .normalize("NFKC")
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );

export function jaccard(a: string, b: string): number {
  const x = tokens(a);
  const y = tokens(b);
  if (!x.size && !y.size) return 1;
  let common = 0;
  for (const t of x) if (y.has(t)) common++;
  return common / (x.size + y.size - common);
}

const norm = (s: string | null) => (s === null ? null : s.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase());
const normId = (s: string | null) => (s === null ? null : s.trim().replace(/^#\s*/, "").toUpperCase());

/** Greedy one-to-one item matching, best Jaccard first. */
export function matchItems(parsed: ParsedReceipt["items"], truth: ParsedReceipt["items"]) {
  const candidates: { p: number; t: number; score: number }[] = [];
  parsed.forEach((pi, p) => {
    truth.forEach((ti, t) => {
      const score = jaccard(pi.name, ti.name);
      if (score >= 0.6 && pi.quantity === ti.quantity) candidates.push({ p, t, score });
    });
  });
  candidates.sort((a, b) => b.score - a.score);
  const usedP = new Set<number>();
  const usedT = new Set<number>();
  const pairs: [number, number][] = [];
  for (const c of candidates) {
    if (usedP.has(c.p) || usedT.has(c.t)) continue;
    usedP.add(c.p);
    usedT.add(c.t);
    pairs.push([c.p, c.t]);
  }
  return pairs;
}

const ratio = (n: number, d: number) => (d === 0 ? 1 : n / d);

export function score(pairs: Pair[]): Scores {
  let tp = 0;
  let predicted = 0;
  let actual = 0;
  const exact = { merchant: 0, order_id: 0, order_date: 0, currency: 0, total: 0 };
  let itemsPredicted = 0;
  let itemsTruth = 0;
  let itemsMatched = 0;
  let categoryRight = 0;
  const misses: string[] = [];
  for (const { name, parsed, truth } of pairs) {
    if (parsed.is_receipt) predicted++;
    if (truth.is_receipt) actual++;
    if (parsed.is_receipt && truth.is_receipt) tp++;
    if (parsed.is_receipt !== truth.is_receipt) misses.push(`${name}: detection ${parsed.is_receipt} (truth ${truth.is_receipt})`);
    if (parsed.is_receipt) itemsPredicted += parsed.items.length;
    if (!truth.is_receipt) continue;
    itemsTruth += truth.items.length;
    const same = {
      merchant: norm(parsed.merchant) === norm(truth.merchant),
      order_id: normId(parsed.order_id) === normId(truth.order_id),
      order_date: parsed.order_date === truth.order_date,
      currency: parsed.currency === truth.currency,
      total: parsed.total === null || truth.total === null ? parsed.total === truth.total : Math.abs(parsed.total - truth.total) <= 0.01,
    };
    for (const key of Object.keys(same) as (keyof typeof same)[]) {
      if (same[key]) exact[key]++;
      else misses.push(`${name}: ${key} ${JSON.stringify(parsed[key])} (truth ${JSON.stringify(truth[key])})`);
    }
    if (!parsed.is_receipt) continue;
    const matched = matchItems(parsed.items, truth.items);
    itemsMatched += matched.length;
    for (const [p, t] of matched) {
      if (parsed.items[p]!.category === truth.items[t]!.category) categoryRight++;
      else misses.push(`${name}: category of "${truth.items[t]!.name}" ${parsed.items[p]!.category} (truth ${truth.items[t]!.category})`);
    }
    if (matched.length < truth.items.length || matched.length < parsed.items.length)
      misses.push(
        `${name}: items ${JSON.stringify(parsed.items.map((i) => `${i.quantity}× ${i.name}`))} (truth ${JSON.stringify(truth.items.map((i) => `${i.quantity}× ${i.name}`))})`,
      );
  }
  const precision = ratio(itemsMatched, itemsPredicted);
  const recall = ratio(itemsMatched, itemsTruth);
  return {
    messages: pairs.length,
    receipts: actual,
    detection: { precision: ratio(tp, predicted), recall: ratio(tp, actual) },
    exact: {
      merchant: ratio(exact.merchant, actual),
      order_id: ratio(exact.order_id, actual),
      order_date: ratio(exact.order_date, actual),
      currency: ratio(exact.currency, actual),
      total: ratio(exact.total, actual),
    },
    items: {
      precision,
      recall,
      f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
      predicted: itemsPredicted,
      truth: itemsTruth,
      matched: itemsMatched,
    },
    category: ratio(categoryRight, itemsMatched),
    misses,
  };
}

export function parseTruth(json: string): ParsedReceipt {
  return ParsedReceipt.parse(JSON.parse(json));
}

export function report(s: Scores): string {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  return [
    `messages ${s.messages}, labelled receipts ${s.receipts}`,
    `detection   precision ${pct(s.detection.precision)}  recall ${pct(s.detection.recall)}`,
    `exact       merchant ${pct(s.exact.merchant)}  order_id ${pct(s.exact.order_id)}  date ${pct(s.exact.order_date)}  currency ${pct(s.exact.currency)}  total ${pct(s.exact.total)}`,
    `items       precision ${pct(s.items.precision)}  recall ${pct(s.items.recall)}  F1 ${pct(s.items.f1)}  (${s.items.matched} matched of ${s.items.predicted} found, ${s.items.truth} labelled)`,
    `category    accuracy ${pct(s.category)}`,
  ].join("\n");
}
