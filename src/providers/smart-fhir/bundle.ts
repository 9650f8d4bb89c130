import { UnusableResponseError } from "../../sync/pull-context";

/** The parts of a FHIR R4 Bundle (searchset) the pull reads; everything else is passed on untouched. */
export interface SearchBundle {
  resourceType: "Bundle";
  type?: string;
  link?: { relation?: string; url?: string }[];
  entry?: BundleEntry[];
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: { resourceType?: string; id?: string; [field: string]: unknown };
  search?: { mode?: string };
}

/** A search answer must be a Bundle; anything else fails the job (nothing of it is stored). */
export function asSearchBundle(body: unknown): SearchBundle {
  if (typeof body !== "object" || body === null || Array.isArray(body) || (body as { resourceType?: unknown }).resourceType !== "Bundle") {
    const type = typeof body === "object" && body !== null ? (body as { resourceType?: unknown }).resourceType : undefined;
    throw new UnusableResponseError(`a search answered ${typeof type === "string" ? `a ${type.slice(0, 40)}` : "something that is not a FHIR Bundle"}`);
  }
  const entries = (body as { entry?: unknown }).entry;
  if (entries !== undefined && !Array.isArray(entries)) throw new UnusableResponseError("a search Bundle's entries are not a list");
  return body as SearchBundle;
}

/** The base without a trailing slash: `https://host/api/FHIR/R4`. */
export function trimBase(base: string): string {
  return base.replace(/\/+$/, "");
}

/**
 * The next page's URL, followed as the opaque URL the server gave (FHIR R4 §3.1.1.3: clients must not build or
 * edit paging links). It carries the person's token, so it must stay on the connection's FHIR base: a link to any
 * other origin or path is refused before anything is sent.
 */
export function nextPageUrl(bundle: SearchBundle, base: string): string | null {
  const href = bundle.link?.find((link) => link.relation === "next")?.url;
  if (!href) return null;
  let next: URL;
  try {
    next = new URL(href, `${trimBase(base)}/`);
  } catch {
    throw new UnusableResponseError("a paging link is not a URL");
  }
  const root = new URL(`${trimBase(base)}/`);
  if (next.origin !== root.origin || !`${next.pathname}/`.startsWith(root.pathname)) {
    throw new UnusableResponseError(`a paging link points away from the health system (${next.host})`);
  }
  return next.href;
}

/** OperationOutcome entries (search.mode = outcome): warnings about the search, logged, never stored. */
export function outcomeIssues(bundle: SearchBundle): { severity: string; code: string }[] {
  const issues: { severity: string; code: string }[] = [];
  for (const entry of bundle.entry ?? []) {
    if (entry.search?.mode !== "outcome" && entry.resource?.resourceType !== "OperationOutcome") continue;
    const list = (entry.resource as { issue?: { severity?: unknown; code?: unknown }[] } | undefined)?.issue ?? [];
    for (const issue of list) issues.push({ severity: String(issue.severity ?? "unknown"), code: String(issue.code ?? "unknown") });
  }
  return issues;
}
