import { z } from "zod";

/**
 * What extraction produces, in the shape `npm run receipts:eval` writes (issue 15): `total` is what was charged, or
 * for a refund what was refunded. The same shape is the AI layer's JSON schema and what the record store keeps.
 */
export const Category = z.enum(["food", "supplement", "other"]);
export type Category = z.infer<typeof Category>;

export const ParsedItem = z.object({
  name: z.string().min(1).max(300),
  quantity: z.number().positive().max(10000),
  line_total: z.number().finite().nullable(),
  size: z.string().max(60).nullable(),
  category: Category,
});
export type ParsedItem = z.infer<typeof ParsedItem>;

export const ParsedReceipt = z.object({
  is_receipt: z.boolean(),
  kind: z.enum(["order", "refund", "none"]),
  merchant: z.string().max(120).nullable(),
  order_id: z.string().max(80).nullable(),
  order_date: z.iso.date().nullable(),
  currency: z.enum(["USD", "EUR", "GBP"]).nullable(),
  total: z.number().finite().nullable(),
  items: z.array(ParsedItem).max(200),
});
export type ParsedReceipt = z.infer<typeof ParsedReceipt>;

/** Which layer produced a value: schema.org markup, Workers AI, or the deterministic parser. */
export type Layer = "schema_org" | "ai" | "rules";

/** A value with where it came from and how sure that layer is (0–1). */
export type Sourced<T> = { value: T; layer: Layer; confidence: number };

export type ExtractedItem = ParsedItem & { layer: Layer; confidence: number };

/** A receipt with provenance on every field and item. */
export type Extraction = {
  is_receipt: Sourced<boolean>;
  kind: Sourced<ParsedReceipt["kind"]>;
  merchant: Sourced<string | null>;
  order_id: Sourced<string | null>;
  order_date: Sourced<string | null>;
  currency: Sourced<ParsedReceipt["currency"]>;
  total: Sourced<number | null>;
  items: ExtractedItem[];
};

/** Why a message was not parsed at all. */
export type SkipReason = "too_large" | "malformed_mime" | "empty";

export function toParsed(e: Extraction): ParsedReceipt {
  return {
    is_receipt: e.is_receipt.value,
    kind: e.kind.value,
    merchant: e.merchant.value,
    order_id: e.order_id.value,
    order_date: e.order_date.value,
    currency: e.currency.value,
    total: e.total.value,
    items: e.items.map(({ name, quantity, line_total, size, category }) => ({ name, quantity, line_total, size, category })),
  };
}
