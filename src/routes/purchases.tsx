import { Hono } from "hono";
import { z } from "zod";
import { PurchasesReview, type ReviewItem } from "../../views/purchases-review";
import type { AppEnv } from "../app-env";
import { ensureCatalogItems } from "../catalog/store";
import { catalogMatcher, listPurchases, listReceipts } from "../purchases/read";
import { reviewPurchase } from "../purchases/review";
import { errorResponse } from "./errors";
import { renderPage } from "./render";

const Decision = z.discriminatedUnion("action", [
  z.object({ action: z.literal("confirm") }),
  z.object({ action: z.literal("reject") }),
  z.object({ action: z.literal("correct"), catalog_item_id: z.string().min(1).max(80) }),
]);

const NOTICES: Record<string, string> = {
  confirm: "Confirmed.",
  reject: "Rejected: it will not count.",
  correct: "Corrected. Later purchases with this name will use it too.",
};

/** Purchase Intelligence review (views/purchases-review.tsx), under /settings/purchases. */
export const purchaseRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const user = c.get("user");
    // The shared catalog table the rest of Wellness OS reads: seeded on first use (one COUNT after that).
    await ensureCatalogItems(c.get("db"));
    const [receipts, { purchases }] = await Promise.all([listReceipts(c.env, user.id), listPurchases(c.env, user.id)]);
    const matcher = catalogMatcher();
    const items: ReviewItem[] = purchases.map((p) => {
      const candidates = matcher.candidates(p.name, p.category, 6);
      const current = p.catalog_item_id ? matcher.entry(p.catalog_item_id) : undefined;
      if (current && !candidates.some((x) => x.catalogItemId === current.id))
        candidates.unshift({ catalogItemId: current.id, name: current.name, kind: current.kind, confidence: p.match_confidence ?? 0, via: "search" });
      return { ...p, candidates };
    });
    const done = c.req.query("done");
    return renderPage(
      c,
      "Purchase Intelligence",
      <PurchasesReview receipts={receipts} items={items} csrfToken={c.get("csrfToken")} notice={done ? NOTICES[done] : undefined} />,
    );
  })
  .post("/:id", async (c) => {
    const id = c.req.param("id");
    const form = await c.req.parseBody();
    const parsed = Decision.safeParse({ action: form.action, catalog_item_id: form.catalog_item_id });
    if (!parsed.success || id.length > 200)
      return errorResponse(c, 400, "That decision is not one Wellness OS understands. Go back and pick Confirm, Correct or Reject.");
    const decision = parsed.data.action === "correct" ? { action: "correct" as const, catalogItemId: parsed.data.catalog_item_id } : parsed.data;
    const outcome = await reviewPurchase(c.env, c.get("user").id, id, decision);
    if (outcome === "no_such_item") return errorResponse(c, 404, "There is no such purchase.");
    if (outcome === "no_such_entry") return errorResponse(c, 400, "That catalog entry does not exist.");
    if (outcome === "nothing_to_confirm") return errorResponse(c, 400, "This item has no match to confirm: pick an entry with Correct, or Reject it.");
    return c.redirect(`/settings/purchases?done=${parsed.data.action}#receipt-${encodeURIComponent(id.split(":")[0] ?? "")}`, 303);
  });
