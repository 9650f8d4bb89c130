import { userHubFor } from "../../durable-objects/user-hub";
import { CatalogMatcher, normalizeName } from "../catalog/match";
import type { RecordBody } from "../domain/records";

/**
 * A person's purchases as the review and the service API read them: the stored purchase records with their
 * corrections applied. A correction is an alias (normalized item name → catalog entry) that also decides every
 * later purchase of that name still waiting for review or matched by search.
 */

const MAX_ROWS = 1000;
const SOURCE = "gmail";

export type PurchaseView = RecordBody<"purchase"> & { id: string; time: number; via_alias: boolean };
export type ReceiptView = RecordBody<"receipt"> & { time: number };

let matcher: CatalogMatcher | null = null;
export function catalogMatcher(): CatalogMatcher {
  matcher ??= new CatalogMatcher();
  return matcher;
}

export async function aliasesOf(env: Env, userId: string): Promise<Map<string, string>> {
  const rows = await userHubFor(env, userId).listRecords(userId, { kind: "purchase_alias", limit: MAX_ROWS });
  const aliases = new Map<string, string>();
  for (const row of rows) {
    if (row.source !== SOURCE) continue;
    const body = JSON.parse(row.data) as RecordBody<"purchase_alias">;
    aliases.set(body.alias, body.catalog_item_id);
  }
  return aliases;
}

export function applyAliases(purchase: RecordBody<"purchase">, aliases: ReadonlyMap<string, string>): { purchase: RecordBody<"purchase">; viaAlias: boolean } {
  if (purchase.status !== "matched" && purchase.status !== "review" && purchase.status !== "other") return { purchase, viaAlias: false };
  const id = aliases.get(normalizeName(purchase.name));
  const entry = id ? catalogMatcher().entry(id) : undefined;
  if (!entry) return { purchase, viaAlias: false };
  return { purchase: { ...purchase, catalog_item_id: entry.id, catalog_name: entry.name, match_confidence: 1, status: "matched" }, viaAlias: true };
}

export async function listPurchases(
  env: Env,
  userId: string,
  range: { from?: number; to?: number } = {},
): Promise<{ purchases: PurchaseView[]; truncated: boolean }> {
  const hub = userHubFor(env, userId);
  const [rows, aliases] = await Promise.all([
    hub.listRecords(userId, { kind: "purchase", from: range.from, to: range.to, limit: MAX_ROWS + 1 }),
    aliasesOf(env, userId),
  ]);
  const purchases = rows
    .filter((row) => row.source === SOURCE)
    .slice(0, MAX_ROWS)
    .map((row) => {
      const { purchase, viaAlias } = applyAliases(JSON.parse(row.data) as RecordBody<"purchase">, aliases);
      return { ...purchase, id: row.externalId, time: row.startTime, via_alias: viaAlias };
    });
  return { purchases, truncated: rows.length > MAX_ROWS };
}

export async function listReceipts(env: Env, userId: string, range: { from?: number; to?: number } = {}): Promise<ReceiptView[]> {
  const rows = await userHubFor(env, userId).listRecords(userId, { kind: "receipt", from: range.from, to: range.to, limit: MAX_ROWS });
  return rows.filter((row) => row.source === SOURCE).map((row) => ({ ...(JSON.parse(row.data) as RecordBody<"receipt">), time: row.startTime }));
}
