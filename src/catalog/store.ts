import { count } from "drizzle-orm";
import type { Database } from "../db/client";
import { catalogItems } from "../db/schema";
import { CATALOG_SEED } from "./seed";

/** D1 takes at most 100 bound parameters per statement; seven columns a row. */
const ROWS_PER_INSERT = 14;

/**
 * Seeds `catalog_items` from the code when it holds fewer entries than the seed (first use, or a release that
 * added entries): inserts what is missing, never rewrites a row. One COUNT on every later call.
 */
export async function ensureCatalogItems(db: Database): Promise<void> {
  const [row] = await db.select({ n: count() }).from(catalogItems);
  if ((row?.n ?? 0) >= CATALOG_SEED.length) return;
  const rows = CATALOG_SEED.map((e) => ({
    id: e.id,
    kind: e.kind,
    name: e.name,
    form: e.form,
    units: JSON.stringify(e.units),
    synonyms: JSON.stringify(e.synonyms),
    source: e.source,
  }));
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    statements.push(
      db
        .insert(catalogItems)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing(),
    );
  await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
}
