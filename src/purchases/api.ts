import type { Context } from "hono";
import { z } from "zod";
import { listPurchases } from "./read";

const DAY_MS = 86_400_000;

/** A day (`2026-03-01`, the whole day in UTC) or an instant with its offset. */
const When = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const PurchasesQuery = z
  .object({ from: When.optional(), to: When.optional() })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: "from must be before to", path: ["to"] });

/** `to` as a day includes that day. */
const endOf = (value: string) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(value) + DAY_MS : Date.parse(value));

/**
 * GET /api/v1/users/:userId/purchases?from&to (docs/api.md): the person's purchased lines found in their receipts,
 * each with its catalog match, confidence and review status, corrections applied; rejected lines are left out.
 */
export async function purchasesRoute(c: Context<{ Bindings: Env }>) {
  const userId = c.req.param("userId") ?? "";
  const parsed = PurchasesQuery.safeParse(c.req.query());
  if (!parsed.success || !userId || userId.length > 100) {
    return c.json(
      { error: "invalid query", issues: parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
      400,
    );
  }
  const { from, to } = parsed.data;
  const result = await listPurchases(c.env, userId, { from: from ? Date.parse(from) : undefined, to: to ? endOf(to) : undefined }).catch((error: unknown) => {
    console.error(JSON.stringify({ event: "purchases_unavailable", name: error instanceof Error ? error.name : typeof error }));
    return null;
  });
  if (!result) return c.json({ error: "the person's records are unavailable just now; try again later" }, 503, { "Retry-After": "60" });
  return c.json({
    purchases: result.purchases
      .filter((p) => p.status !== "rejected")
      .map((p) => ({
        id: p.id,
        date: p.order_date ?? new Date(p.time).toISOString().slice(0, 10),
        merchant: p.merchant,
        name: p.name,
        quantity: p.quantity,
        size: p.size,
        line_total: p.line_total,
        currency: p.currency,
        refund: p.refund,
        category: p.category,
        catalog_item: p.catalog_item_id ? { id: p.catalog_item_id, name: p.catalog_name } : null,
        match_confidence: p.match_confidence,
        status: p.status,
        extraction: p.extraction,
      })),
    truncated: result.truncated,
  });
}
