import type { Hono } from "hono";
import type { SourceId } from "../../domain/integration";
import { type SandboxEnv, sandboxBearer } from "../../sandbox/types";
import { type Resource, sandboxPatientResources } from "./sandbox-patient";

/** A warning a health system adds to a search page, as Epic does when it leaves results out (search.mode outcome). */
export const SANDBOX_OUTCOME = {
  resourceType: "OperationOutcome",
  issue: [{ severity: "warning", code: "suppressed", details: { text: "Some results are not available to patient-facing apps." } }],
};

/** The sandbox server's page size: smaller than we ask for, as real servers' caps are, so paging is exercised. */
const SANDBOX_PAGE_SIZE = 25;

const SEARCH_PARAMS = ["patient", "category", "date", "_lastUpdated", "_count", "_include"];

function capabilityStatement() {
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    kind: "instance",
    fhirVersion: "4.0.1",
    format: ["json"],
    rest: [
      {
        mode: "server",
        resource: ["Observation", "Condition", "MedicationRequest", "Medication", "Patient"].map((type) => ({
          type,
          interaction: [{ code: "read" }, { code: "search-type" }],
          searchParam: SEARCH_PARAMS.map((name) => ({ name, type: name === "date" || name === "_lastUpdated" ? "date" : "token" })),
        })),
      },
    ],
  };
}

/** `ge2024-01-01T00:00:00Z` style prefixes on a date parameter. */
function dateMatches(value: string | undefined, filters: string[]): boolean {
  if (filters.length === 0) return true;
  if (!value) return false;
  const time = Date.parse(value);
  return filters.every((filter) => {
    const prefix = filter.slice(0, 2);
    const bound = Date.parse(/^[a-z]{2}/.test(filter) ? filter.slice(2) : filter);
    if (prefix === "ge") return time >= bound;
    if (prefix === "gt") return time > bound;
    if (prefix === "lt") return time < bound;
    if (prefix === "le") return time <= bound;
    return time === bound;
  });
}

function categoryMatches(resource: Resource, wanted: string | undefined): boolean {
  if (!wanted) return true;
  const codes = wanted.split(",").map((code) => code.split("|").pop());
  const categories = (resource.category as { coding?: { code?: string }[] }[] | undefined) ?? [];
  return categories.some((c) => c.coding?.some((coding) => codes.includes(coding.code)));
}

/**
 * A FHIR R4 search API over the sandbox patient, as a SMART server answers: bearer required, the patient must be
 * the token's, pages behind opaque `next` links, and an OperationOutcome warning on the first page of lab results.
 */
export function addFhirSandboxRoutes(api: Hono<SandboxEnv>, fhirPath: string, source: SourceId, patientOf: (subject: string) => string): void {
  api.get(`${fhirPath}/metadata`, (c) => c.json(capabilityStatement()));
  api.get(`${fhirPath}/:type{(Observation|Condition|MedicationRequest)}`, sandboxBearer(source), (c) => {
    const type = c.req.param("type");
    const patient = patientOf(c.get("access").subject);
    const pageToken = c.req.query("page");
    let query: Record<string, string[]>;
    let offset = 0;
    if (pageToken) {
      try {
        ({ query, offset } = JSON.parse(atob(pageToken.replaceAll("-", "+").replaceAll("_", "/"))) as { query: Record<string, string[]>; offset: number });
      } catch {
        return c.json({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "invalid", details: { text: "Unknown page" } }] }, 400);
      }
    } else {
      query = Object.fromEntries(SEARCH_PARAMS.map((name) => [name, c.req.queries(name) ?? []]));
    }
    if (query.patient?.[0] !== patient) {
      return c.json(
        { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "forbidden", details: { text: "Patient is not in context" } }] },
        403,
      );
    }
    const all = sandboxPatientResources(patient, Date.now());
    const matching = all.filter(
      (r) =>
        r.resourceType === type &&
        categoryMatches(r, type === "MedicationRequest" ? undefined : query.category?.[0]) &&
        dateMatches(type === "Observation" ? (r.effectiveDateTime as string) : undefined, type === "Observation" ? (query.date ?? []) : []) &&
        dateMatches(r.meta.lastUpdated, query._lastUpdated ?? []),
    );
    const size = Math.min(SANDBOX_PAGE_SIZE, Number(query._count?.[0] ?? SANDBOX_PAGE_SIZE) || SANDBOX_PAGE_SIZE);
    const page = matching.slice(offset, offset + size);
    const base = new URL(c.req.url);
    const self = `${base.origin}${fhirPath}/${type}`;
    const entry: Record<string, unknown>[] = page.map((resource) => ({
      fullUrl: `${base.origin}${fhirPath}/${type}/${resource.id}`,
      resource,
      search: { mode: "match" },
    }));
    if (type === "MedicationRequest" && query._include?.includes("MedicationRequest:medication")) {
      const refs = new Set(
        page.map((r) => (r.medicationReference as { reference?: string } | undefined)?.reference).filter((ref) => ref?.startsWith("Medication/")),
      );
      for (const med of all.filter((r) => r.resourceType === "Medication" && refs.has(`Medication/${r.id}`))) {
        entry.push({ fullUrl: `${base.origin}${fhirPath}/Medication/${med.id}`, resource: med, search: { mode: "include" } });
      }
    }
    if (type === "Observation" && offset === 0) entry.push({ resource: SANDBOX_OUTCOME, search: { mode: "outcome" } });
    const link = [{ relation: "self", url: c.req.url }];
    if (offset + size < matching.length) {
      const token = btoa(JSON.stringify({ query, offset: offset + size }))
        .replaceAll("+", "-")
        .replaceAll("/", "_")
        .replaceAll("=", "");
      link.push({ relation: "next", url: `${self}?page=${token}` });
    }
    return c.json({ resourceType: "Bundle", type: "searchset", total: matching.length, link, entry });
  });
  api.get(`${fhirPath}/Medication/:id`, sandboxBearer(source), (c) => {
    const med = sandboxPatientResources(patientOf(c.get("access").subject), Date.now()).find(
      (r) => r.resourceType === "Medication" && r.id === c.req.param("id"),
    );
    return med ? c.json(med) : c.json({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "not-found" }] }, 404);
  });
}
