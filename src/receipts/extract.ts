import { AI_VERSION, type AiExtraction, type AiRunner, extractWithAi } from "./ai.ts";
import { categorize, categoryOf } from "./category.ts";
import { type Message, parseMime } from "./mime.ts";
import { extractByRules } from "./rules.ts";
import { markupOrder } from "./schema-org.ts";
import type { ExtractedItem, Extraction, Layer, SkipReason, Sourced } from "./types.ts";

/**
 * The extraction pipeline: MIME → (1) schema.org markup → (2) Workers AI, when a runner is given → (3) the
 * deterministic parser. Each field takes the most trusted layer that produced a value; each item list comes whole
 * from one layer (mixing lines of two layers would double-count). The deterministic parser always runs: it is the
 * fallback and its detection signals guard the AI's.
 */

export type ExtractResult =
  | { status: "parsed"; extraction: Extraction; message: Message; review: string[]; aiVersion: string | null }
  | { status: "skipped"; reason: SkipReason; detail: string };

const sourced = <T>(value: T, layer: Layer, confidence: number): Sourced<T> => ({ value, layer, confidence });

function pick<T>(...candidates: (Sourced<T | null> | null | undefined)[]): Sourced<T | null> {
  for (const c of candidates) if (c && c.value !== null && c.value !== undefined && c.value !== "") return c;
  const last = candidates.findLast((c) => c);
  return last ?? sourced<T | null>(null, "rules", 0);
}

export async function extractReceipt(raw: string | ArrayBuffer | Uint8Array, options: { ai?: AiRunner } = {}): Promise<ExtractResult> {
  const mime = await parseMime(raw);
  if (!mime.ok) return { status: "skipped", reason: mime.reason, detail: mime.detail };
  return extractFromMessage(mime.message, options);
}

export async function extractFromMessage(message: Message, options: { ai?: AiRunner } = {}): Promise<ExtractResult> {
  const review: string[] = [];
  const rules = extractByRules(message);
  const markup = markupOrder(message.html);
  let ai: AiExtraction | null = null;
  if (options.ai) {
    const answer = await extractWithAi(options.ai, message);
    if (answer.ok) ai = answer.extraction;
    else if (answer.reason === "invalid") review.push(`ai: ${answer.detail}`);
  }
  const aiConf = ai?.confidence ?? 0;
  const A = <T>(v: T | null | undefined) => (ai ? sourced<T | null>(v ?? null, "ai", aiConf) : null);
  const M = <T>(v: T | null | undefined, c = 0.95) => (markup ? sourced<T | null>(v ?? null, "schema_org", c) : null);

  // Detection: markup that declares an order is the sender's own statement; the AI's view is weighed against the
  // rules' look-alike vetoes (a shipping notice stays one even if a model calls it a receipt).
  let isReceipt: Sourced<boolean>;
  if (markup && (markup.total !== null || markup.items.length)) isReceipt = sourced(true, "schema_org", 0.95);
  else if (ai && !rules.signals.veto) isReceipt = sourced(ai.is_receipt, "ai", aiConf);
  else isReceipt = sourced(rules.isReceipt, "rules", rules.receiptConfidence);

  const refund = (markup?.refund ?? false) || (ai ? ai.kind === "refund" : false) || rules.signals.refund;
  const kind = sourced<Extraction["kind"]["value"]>(isReceipt.value ? (refund ? "refund" : "order") : "none", isReceipt.layer, isReceipt.confidence);

  if (!isReceipt.value) {
    const none = sourced(null, isReceipt.layer, isReceipt.confidence);
    return {
      status: "parsed",
      message,
      review,
      aiVersion: ai ? AI_VERSION : null,
      extraction: { is_receipt: isReceipt, kind, merchant: none, order_id: none, order_date: none, currency: none, total: none, items: [] },
    };
  }

  const R = <T>(v: T | null, c: number) => sourced<T | null>(v, "rules", v === null ? 0 : c);
  // A refund's total is the refunded amount, which markup's order price is not.
  const total = refund
    ? pick(A(ai?.total), R(rules.total, rules.totalConfidence), M(markup?.total))
    : pick(M(markup?.total), A(ai?.total), R(rules.total, rules.totalConfidence));

  let items: ExtractedItem[];
  if (markup?.items.length) {
    items = markup.items.map((i) => ({
      name: i.name,
      quantity: i.quantity,
      line_total: i.lineTotal,
      size: null,
      category: "other",
      layer: "schema_org",
      confidence: 0.9,
    }));
    const categories = categorize(items.map((i) => i.name));
    items.forEach((item, n) => {
      item.category = categories[n]!;
    });
  } else if (ai?.items.length) {
    items = ai.items.map((i) => ({ ...i, layer: "ai", confidence: aiConf }));
  } else {
    const categories = categorize(rules.items.map((i) => i.name));
    items = rules.items.map((i, n) => ({
      name: i.name,
      quantity: i.quantity,
      line_total: i.lineTotal,
      size: i.size,
      category: categories[n]!,
      layer: "rules",
      confidence: categoryOf(i.name) ? i.confidence : i.confidence * 0.8,
    }));
  }
  if (isReceipt.confidence < 0.6) review.push("detection: low confidence");
  if (total.value === null) review.push("total: not found");

  return {
    status: "parsed",
    message,
    review,
    aiVersion: ai ? AI_VERSION : null,
    extraction: {
      is_receipt: isReceipt,
      kind,
      merchant: pick(M(markup?.merchant), A(ai?.merchant), R(rules.merchant, rules.merchantConfidence)),
      order_id: pick(M(markup?.orderId), A(ai?.order_id), R(rules.orderId, 0.8)),
      order_date: pick(M(markup?.orderDate), A(ai?.order_date), R(rules.orderDate, rules.orderDateConfidence)),
      currency: pick(M(markup?.currency), A(ai?.currency), R(rules.currency, rules.currency ? 0.9 : 0)),
      total,
      items,
    },
  };
}
