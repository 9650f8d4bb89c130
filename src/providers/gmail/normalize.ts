import { CatalogMatcher, MATCH_THRESHOLD } from "../../catalog/match";
import { MalformedPayloadError, makeRecord, type NormalizedRecord, type NormalizeResult, type RecordBody, type SkippedItem } from "../../domain/records";
import type { Extraction, SkipReason } from "../../receipts/types";

export type GmailKind = "message";

/** What the pull hands on for one message: never its body, only what extraction made of it. */
export type GmailMessagePage = {
  id: string;
  sha256?: string;
  /** When Gmail received the message (epoch ms): the receipt's time when it names no date. */
  receivedAt?: number;
  outcome: { status: "parsed"; extraction: Extraction; review: string[]; aiVersion: string | null } | { status: "skipped"; reason: SkipReason; detail: string };
};

let matcher: CatalogMatcher | null = null;
/** Built on first use (a few hundred entries, a millisecond or two) and kept for the isolate's life. */
function catalog(): CatalogMatcher {
  matcher ??= new CatalogMatcher();
  return matcher;
}

/** Noon UTC of the order date: a purchase belongs to a day, not an instant. */
function dayTime(date: string | null): number | null {
  return date ? Date.parse(`${date}T12:00:00Z`) : null;
}

function isPage(body: unknown): body is GmailMessagePage {
  if (!body || typeof body !== "object") return false;
  const b = body as Partial<GmailMessagePage>;
  return typeof b.id === "string" && !!b.outcome && typeof b.outcome === "object";
}

/**
 * Pure: one message's extraction → a `receipt` record and a `purchase` record per item, each item matched to the
 * catalog. Messages that are not receipts produce nothing (nothing else from the mailbox is kept); messages the
 * pipeline skipped (too large, malformed MIME) are reported as skipped with the reason.
 */
export function normalizeGmail(_kind: GmailKind, body: unknown): NormalizeResult {
  if (!isPage(body)) throw new MalformedPayloadError("gmail: not a message page");
  const { id, outcome } = body;
  if (outcome.status === "skipped") return { records: [], skipped: [{ externalId: id, reason: `${outcome.reason}: ${outcome.detail}` }] };
  const e = outcome.extraction;
  if (!e.is_receipt.value || e.kind.value === "none" || !body.sha256) return { records: [], skipped: [] };
  const refund = e.kind.value === "refund";
  const startTime = dayTime(e.order_date.value) ?? body.receivedAt ?? null;
  if (startTime === null) return { records: [], skipped: [{ externalId: id, reason: "receipt: no date" }] };
  const fields: RecordBody<"receipt">["fields"] = {};
  for (const key of ["is_receipt", "kind", "merchant", "order_id", "order_date", "currency", "total"] as const) {
    fields[key] = { layer: e[key].layer, confidence: Math.round(e[key].confidence * 100) / 100 };
  }
  const records: NormalizedRecord[] = [];
  const skipped: SkippedItem[] = [];
  const add = (r: NormalizedRecord | SkippedItem) => ("kind" in r ? records.push(r) : skipped.push(r));
  add(
    makeRecord("receipt", {
      externalId: id,
      startTime,
      data: {
        message_id: id,
        message_sha256: body.sha256,
        kind: refund ? "refund" : "order",
        merchant: e.merchant.value,
        order_id: e.order_id.value,
        order_date: e.order_date.value,
        currency: e.currency.value,
        total: e.total.value,
        item_count: e.items.length,
        fields,
        review: outcome.review,
        ai_version: outcome.aiVersion,
      },
      raw: null,
    }),
  );
  e.items.forEach((item, index) => {
    const match = catalog().match(item.name, item.category);
    // Lines that are neither food nor supplements are kept as `other` unless the catalog knows them well.
    const confident = match !== null && match.confidence * (item.category === "other" ? 0.5 : 1) >= MATCH_THRESHOLD;
    add(
      makeRecord("purchase", {
        externalId: `${id}:${index}`,
        startTime,
        data: {
          message_id: id,
          merchant: e.merchant.value,
          order_date: e.order_date.value,
          refund,
          name: item.name,
          quantity: item.quantity,
          line_total: item.line_total,
          currency: e.currency.value,
          size: item.size,
          category: item.category,
          extraction: { layer: item.layer, confidence: Math.round(item.confidence * 100) / 100 },
          catalog_item_id: match?.catalogItemId ?? null,
          catalog_name: match?.name ?? null,
          match_confidence: match?.confidence ?? null,
          status: confident ? "matched" : item.category === "other" ? "other" : "review",
        },
        raw: null,
      }),
    );
  });
  return { records, skipped };
}
