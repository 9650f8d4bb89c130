import type { PurchaseView, ReceiptView } from "../src/purchases/read";

/** How many receipts the detail page lists; the review page has them all. */
const RECENT_RECEIPTS = 8;

const money = (amount: number | null, currency: string | null) =>
  amount === null ? "—" : currency ? new Intl.NumberFormat("en", { style: "currency", currency }).format(amount) : amount.toFixed(2);

/**
 * Gmail receipts' detail view: what the scan found (receipts, purchases, what waits for the person's review), the
 * latest receipts, and the way to the review page. Nothing from the mailbox but the parsed receipts is shown,
 * because nothing else is kept.
 */
export function ReceiptsSummary({ receipts, purchases }: { receipts: ReceiptView[]; purchases: PurchaseView[] }) {
  const waiting = purchases.filter((purchase) => purchase.status === "review").length;
  const recent = [...receipts].sort((a, b) => b.time - a.time).slice(0, RECENT_RECEIPTS);
  return (
    <section aria-labelledby="receipts-title">
      <h2 id="receipts-title">Your receipts</h2>
      {receipts.length === 0 ? (
        <p class="muted">No receipts found yet. Only emails that are receipts are kept, as the parsed receipt; nothing else from your mailbox is stored.</p>
      ) : (
        <>
          <p>
            {receipts.length} {receipts.length === 1 ? "receipt" : "receipts"} with {purchases.length} {purchases.length === 1 ? "item" : "items"}
            {waiting > 0 ? `; ${waiting} ${waiting === 1 ? "item waits" : "items wait"} for your review.` : "; nothing waits for your review."}
          </p>
          <table class="runs">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Merchant</th>
                <th scope="col">Items</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((receipt) => (
                <tr>
                  <td>{receipt.order_date ?? "—"}</td>
                  <td>
                    {receipt.merchant ?? "Unknown merchant"}
                    {receipt.kind === "refund" ? " (refund)" : ""}
                  </td>
                  <td>{receipt.item_count}</td>
                  <td>{money(receipt.total, receipt.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p>
        <a class="btn btn-secondary" href="/settings/purchases">
          {waiting > 0 ? "Review purchases" : "See all purchases"}
        </a>
      </p>
    </section>
  );
}
