import { describe, expect, it } from "vitest";
import { type Pair, parseTruth, score } from "../../src/receipts/eval";
import { extractReceipt } from "../../src/receipts/extract";
import { type ParsedReceipt, toParsed } from "../../src/receipts/types";

// The labelled corpus (test/receipts/corpus, README there): fictional merchants, MIME as senders write it. This is
// `npm run receipts:eval`'s scoring run inside the Worker runtime, offline (no AI binding): layers 1 and 3 only.
const emails = import.meta.glob<string>("./corpus/*.eml", { query: "?raw", import: "default", eager: true });
const truths = import.meta.glob<string>("./corpus/*.truth.json", { query: "?raw", import: "default", eager: true });

const NONE: ParsedReceipt = { is_receipt: false, kind: "none", merchant: null, order_id: null, order_date: null, currency: null, total: null, items: [] };

describe("the labelled corpus, offline", async () => {
  const pairs: Pair[] = [];
  for (const [path, raw] of Object.entries(emails)) {
    const truth = truths[path.replace(/\.eml$/, ".truth.json")];
    if (!truth) continue;
    const result = await extractReceipt(raw);
    pairs.push({ name: path, parsed: result.status === "parsed" ? toParsed(result.extraction) : NONE, truth: parseTruth(truth) });
  }
  const scores = score(pairs);

  it("has at least 40 labelled messages, receipts and look-alikes both", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(40);
    expect(scores.receipts).toBeGreaterThanOrEqual(25);
    expect(pairs.length - scores.receipts).toBeGreaterThanOrEqual(10);
  });

  it("meets the issue's targets", () => {
    expect(scores.detection.precision, scores.misses.join("\n")).toBeGreaterThanOrEqual(0.95);
    expect(scores.detection.recall, scores.misses.join("\n")).toBeGreaterThanOrEqual(0.9);
    expect(scores.exact.total, scores.misses.join("\n")).toBeGreaterThanOrEqual(0.9);
    expect(scores.items.f1, scores.misses.join("\n")).toBeGreaterThanOrEqual(0.85);
    expect(scores.category, scores.misses.join("\n")).toBeGreaterThanOrEqual(0.9);
  });
});
