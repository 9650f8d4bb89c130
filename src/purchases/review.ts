import { userHubFor } from "../../durable-objects/user-hub";
import { normalizeName } from "../catalog/match";
import type { RecordBody } from "../domain/records";
import { catalogMatcher } from "./read";

/**
 * The person's decision on one purchased line: confirm the match, correct it to another catalog entry (which
 * becomes an alias later purchases of that name use), or reject it (not a purchase to count). The purchase
 * record is rewritten in place (same identity, an upsert); nothing is written for an unknown item or entry.
 */

export type ReviewDecision = { action: "confirm" } | { action: "reject" } | { action: "correct"; catalogItemId: string };
export type ReviewOutcome = "done" | "no_such_item" | "no_such_entry" | "nothing_to_confirm";

const SOURCE = "gmail";

export async function reviewPurchase(env: Env, userId: string, purchaseId: string, decision: ReviewDecision): Promise<ReviewOutcome> {
  const hub = userHubFor(env, userId);
  const rows = await hub.listRecords(userId, { kind: "purchase", limit: 1000 });
  const row = rows.find((r) => r.source === SOURCE && r.externalId === purchaseId);
  if (!row) return "no_such_item";
  const current = JSON.parse(row.data) as RecordBody<"purchase">;
  let next: RecordBody<"purchase">;
  const extra: { kind: "purchase_alias"; externalId: string; data: RecordBody<"purchase_alias"> }[] = [];
  if (decision.action === "reject") next = { ...current, status: "rejected" };
  else if (decision.action === "confirm") {
    if (!current.catalog_item_id) return "nothing_to_confirm";
    next = { ...current, status: "confirmed" };
  } else {
    const entry = catalogMatcher().entry(decision.catalogItemId);
    if (!entry) return "no_such_entry";
    next = { ...current, catalog_item_id: entry.id, catalog_name: entry.name, match_confidence: 1, status: "corrected" };
    const alias = normalizeName(current.name);
    if (alias) extra.push({ kind: "purchase_alias", externalId: alias, data: { alias, catalog_item_id: entry.id } });
  }
  await hub.putRecords(userId, SOURCE, [
    { kind: "purchase", externalId: row.externalId, startTime: row.startTime, endTime: row.endTime, data: JSON.stringify(next), raw: null },
    ...extra.map((a) => ({ kind: a.kind, externalId: a.externalId, startTime: row.startTime, endTime: null, data: JSON.stringify(a.data), raw: null })),
  ]);
  return "done";
}
