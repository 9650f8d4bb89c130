import type { CatalogMatch } from "../src/catalog/match";
import type { PurchaseView, ReceiptView } from "../src/purchases/read";

/**
 * Purchase Intelligence: the receipts found in the person's Gmail and their items, each with its catalog match
 * and confidence. Every decision is a plain form (confirm, correct to another entry, reject), so it works with
 * JavaScript off; the server answers with a redirect back here.
 */

const STATUS_LABELS: Record<PurchaseView["status"], string> = {
  matched: "Matched",
  review: "Needs review",
  other: "Not food or supplement",
  confirmed: "Confirmed",
  corrected: "Corrected",
  rejected: "Rejected",
};

const LAYER_LABELS = { schema_org: "sender's markup", ai: "Workers AI", rules: "parser" } as const;

function money(amount: number | null, currency: string | null): string {
  if (amount === null) return "—";
  if (!currency) return amount.toFixed(2);
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(amount);
}

const percent = (n: number | null) => (n === null ? "—" : `${Math.round(n * 100)}%`);

export type ReviewItem = PurchaseView & { candidates: CatalogMatch[] };

function Decision({ item, csrfToken }: { item: ReviewItem; csrfToken: string }) {
  const action = `/settings/purchases/${encodeURIComponent(item.id)}`;
  return (
    <div class="purchase-actions">
      {item.catalog_item_id && item.status !== "confirmed" ? (
        <form method="post" action={action}>
          <input type="hidden" name="_csrf" value={csrfToken} />
          <input type="hidden" name="action" value="confirm" />
          <button type="submit" class="btn btn-small">
            Confirm
          </button>
        </form>
      ) : null}
      {item.candidates.length ? (
        <form method="post" action={action} class="purchase-correct">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <input type="hidden" name="action" value="correct" />
          <label>
            <span class="visually-hidden">Correct the match for {item.name}</span>
            <select name="catalog_item_id">
              {item.candidates.map((c) => (
                <option value={c.catalogItemId} selected={c.catalogItemId === item.catalog_item_id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="btn btn-small btn-quiet">
            Correct
          </button>
        </form>
      ) : null}
      {item.status !== "rejected" ? (
        <form method="post" action={action}>
          <input type="hidden" name="_csrf" value={csrfToken} />
          <input type="hidden" name="action" value="reject" />
          <button type="submit" class="btn btn-small btn-quiet">
            Reject
          </button>
        </form>
      ) : null}
    </div>
  );
}

export function PurchasesReview({ receipts, items, csrfToken, notice }: { receipts: ReceiptView[]; items: ReviewItem[]; csrfToken: string; notice?: string }) {
  const waiting = items.filter((i) => i.status === "review").length;
  const byMessage = new Map<string, ReviewItem[]>();
  for (const item of items) byMessage.set(item.message_id, [...(byMessage.get(item.message_id) ?? []), item]);
  const recent = [...receipts].sort((a, b) => b.time - a.time);
  return (
    <section class="purchases" aria-labelledby="purchases-title">
      <link rel="stylesheet" href="/css/purchases.css" />
      <div class="page-head">
        <div>
          <h1 id="purchases-title">Purchase Intelligence</h1>
          <p class="lede">
            Receipts found in your Gmail and the food and supplements on them.{" "}
            {waiting === 1 ? "1 item waits for your review." : waiting ? `${waiting} items wait for your review.` : "Nothing waits for review."}
          </p>
        </div>
        <a class="btn btn-quiet" href="/settings">
          Back to integrations
        </a>
      </div>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {recent.length === 0 ? (
        <p class="empty">No receipts yet. Connect Gmail receipts on the integrations page; the first scan reads the past twelve months.</p>
      ) : null}
      {recent.map((receipt) => (
        <article class="receipt" id={`receipt-${receipt.message_id}`}>
          <header class="receipt-head">
            <h2>{receipt.merchant ?? "Unknown merchant"}</h2>
            <p class="receipt-meta">
              {receipt.order_date ?? ""} · {receipt.kind === "refund" ? "Refund " : ""}
              {money(receipt.total, receipt.currency)}
              {receipt.order_id ? ` · Order ${receipt.order_id}` : ""}
            </p>
          </header>
          <table class="purchase-items">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Catalog entry</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Decision</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(byMessage.get(receipt.message_id) ?? []).map((item) => (
                <tr class={`purchase purchase-${item.status}`}>
                  <td data-label="Item">
                    <strong>{item.name}</strong>
                    <span class="purchase-detail">
                      {item.quantity} × {item.size ? `${item.size} · ` : ""}
                      {money(item.line_total, item.currency)} · {item.category} · read by the {LAYER_LABELS[item.extraction.layer]}
                    </span>
                  </td>
                  <td data-label="Catalog entry">
                    {item.catalog_name ?? "No match"}
                    <span class="purchase-detail">confidence {percent(item.match_confidence)}</span>
                  </td>
                  <td data-label="Status">
                    <span class={`status status-${item.status}`}>{STATUS_LABELS[item.status]}</span>
                  </td>
                  <td data-label="Decision">
                    <Decision item={item} csrfToken={csrfToken} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}

/** The link from the settings page's Purchase Intelligence section. */
export function PurchasesLink() {
  return (
    <div class="section-tools">
      <a class="btn btn-quiet" href="/settings/purchases">
        Review purchases
      </a>
    </div>
  );
}
