import { CATALOG } from "../providers/registry";
import type { CatalogEntry, SourceId } from "./integration";

// Each source's entry lives with its adapter (src/providers/<source>/catalog.ts); the registry assembles them.
export { CATALOG };

let byId: Map<string, CatalogEntry> | null = null;

function index(): Map<string, CatalogEntry> {
  // Built on first use, not at import: the catalog and the adapters import each other.
  byId ??= new Map(CATALOG.map((entry) => [entry.id, entry]));
  return byId;
}

export function catalogEntry(id: SourceId): CatalogEntry {
  const entry = index().get(id);
  if (!entry) throw new Error(`catalog has no source ${id}`);
  return entry;
}
