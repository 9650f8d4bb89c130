import { CapabilityTool, type FhirResource } from "fhir-kit-client";
import { DataNotSharedError, ProviderRequestError, UnusableResponseError } from "../../sync/pull-context";
import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import { asSearchBundle, type BundleEntry, nextPageUrl, outcomeIssues, type SearchBundle, trimBase } from "./bundle";
import { normalizeFhir } from "./normalize";
import { FHIR_KINDS, FHIR_RESOURCES, type FhirKind, type FhirResourceType, inWords } from "./resources";

const DAY_MS = 86_400_000;
/** Entries per page we ask for; servers may send fewer (Epic caps some searches lower) but never more. */
export const PAGE_SIZE = 100;
/**
 * A window at most this long is an incremental pull (the cron's: from the cursor, at most a week); a longer one is
 * a slice of history from the backfill.
 */
const INCREMENTAL_MAX_MS = 8 * DAY_MS;
/** Budget per job: the capability statement, the three searches' pages and referenced Medications. */
const MAX_REQUESTS_PER_JOB = 40;
/** Medications fetched one by one when a request references one the search did not include. */
const MAX_MEDICATION_READS = 10;

const isoInstant = (ms: number) => new Date(ms).toISOString();

/** Body as JSON; a body that is not JSON fails the job (there is nothing of it to store). */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new UnusableResponseError("a search answered something that is not JSON");
  }
}

const capabilityCache = new Map<string, { tool: CapabilityTool; at: number }>();

/**
 * Whether the server can search `type` by `_lastUpdated`, from its CapabilityStatement (`/metadata`), read once an
 * hour per isolate. fhir-kit-client's CapabilityTool reads the statement; its HTTP client is not used, because
 * every call must go through the sync engine's `request` (token, refresh, budget, sandbox routing).
 */
async function supportsLastUpdated(ctx: PullContext, base: string, type: FhirResourceType): Promise<boolean> {
  let cached = capabilityCache.get(base);
  if (!cached || ctx.now - cached.at > 3_600_000) {
    let statement: unknown;
    try {
      statement = await readJson(await ctx.request(`${base}/metadata`, { headers: { Accept: "application/fhir+json" } }));
    } catch (error) {
      // A server that will not describe itself is searched without _lastUpdated.
      if (error instanceof ProviderRequestError || error instanceof UnusableResponseError) return false;
      throw error;
    }
    if ((statement as { resourceType?: unknown } | null)?.resourceType !== "CapabilityStatement") return false;
    cached = { tool: new CapabilityTool(statement as FhirResource), at: ctx.now };
    capabilityCache.set(base, cached);
  }
  const where = { name: "_lastUpdated" };
  return Boolean(
    cached.tool.supportFor({ resourceType: type, capabilityType: "searchParam", where }) || cached.tool.supportFor({ capabilityType: "searchParam", where }),
  );
}

/** Medications a page's requests reference that neither the page included nor the request contains. */
function unresolvedMedications(bundle: SearchBundle): string[] {
  const present = new Set<string>();
  for (const entry of bundle.entry ?? [])
    if (entry.resource?.resourceType === "Medication" && entry.resource.id) present.add(`Medication/${entry.resource.id}`);
  const wanted = new Set<string>();
  for (const entry of bundle.entry ?? []) {
    const ref = (entry.resource as { medicationReference?: { reference?: string } } | undefined)?.medicationReference?.reference;
    if (
      entry.resource?.resourceType === "MedicationRequest" &&
      ref &&
      !ref.startsWith("#") &&
      /^Medication\/[A-Za-z0-9\-.]{1,64}$/.test(ref) &&
      !present.has(ref)
    )
      wanted.add(ref);
  }
  return [...wanted];
}

async function* searchPages(ctx: PullContext, base: string, kind: FhirKind, query: URLSearchParams): AsyncGenerator<PulledPage<FhirKind>> {
  const resource = FHIR_RESOURCES.find((r) => r.kind === kind)!;
  let url: string | null = `${base}/${resource.type}?${query}`;
  const followed = new Set<string>();
  while (url) {
    const bundle = asSearchBundle(await readJson(await ctx.request(url, { headers: { Accept: "application/fhir+json" } })));
    const issues = outcomeIssues(bundle);
    // Server warnings about the search (e.g. "some results were filtered"): logged, never stored or shown raw.
    if (issues.length > 0) console.warn(JSON.stringify({ event: "fhir_search_outcome", resource: resource.type, issues: issues.slice(0, 5) }));
    if (kind === "medication") {
      const extra: BundleEntry[] = [];
      for (const ref of unresolvedMedications(bundle).slice(0, MAX_MEDICATION_READS)) {
        try {
          const medication = (await readJson(await ctx.request(`${base}/${ref}`, { headers: { Accept: "application/fhir+json" } }))) as BundleEntry["resource"];
          if (medication?.resourceType === "Medication") extra.push({ resource: medication, search: { mode: "include" } });
        } catch (error) {
          // A medication that cannot be read leaves its request to be named by its display, or skipped.
          if (!(error instanceof ProviderRequestError)) throw error;
        }
      }
      yield { kind, body: extra.length > 0 ? { ...bundle, entry: [...(bundle.entry ?? []), ...extra] } : bundle };
    } else {
      yield { kind, body: bundle };
    }
    const next = nextPageUrl(bundle, base);
    // A server that hands back a link already followed would loop until the budget ran out.
    if (next && followed.has(next)) return;
    if (next) followed.add(next);
    url = next;
  }
}

/**
 * A SMART on FHIR R4 health system's pull, for any vendor: lab results, conditions and medication requests for
 * the patient in the token's context.
 *   - History (the backfill's long windows): lab results by their clinical `date`, one slice of years per job;
 *     the job whose window reaches the present also reads the condition and medication lists, which are short.
 *   - Incremental (the cron's short windows): what changed since the window's start, by `_lastUpdated`, where the
 *     server's CapabilityStatement says it supports it (this is what brings in amended results); else lab results
 *     by date and the full lists again (upserts, so unchanged rows are not rewritten).
 * A search the health system refuses with 403 (a resource the person did not share) is left out, and the job
 * ends partial, saying which data was not shared.
 */
export function smartFhirSync(fhirBase: (env: Env) => string): SyncSpec<FhirKind> {
  async function* pull(ctx: PullContext, window: SyncWindow, only?: readonly FhirKind[]): AsyncGenerator<PulledPage<FhirKind>> {
    if (!(window.end > window.start)) return;
    // The connection's own health system (kept with its tokens); the deployment's default for older connections.
    const base = trimBase(ctx.tokenContext.fhirBase ?? fhirBase(ctx.env));
    const patient = ctx.tokenContext.patient;
    if (!patient) throw new UnusableResponseError("the health system named no patient when it granted access");
    const incremental = window.end - window.start <= INCREMENTAL_MAX_MS;
    const reachesPresent = window.end >= ctx.now - DAY_MS;
    const refused: FhirResourceType[] = [];
    for (const resource of FHIR_RESOURCES) {
      if (only && !only.includes(resource.kind)) continue;
      const query = new URLSearchParams({ patient, _count: String(PAGE_SIZE), ...resource.query });
      if (incremental && (await supportsLastUpdated(ctx, base, resource.type))) {
        query.append("_lastUpdated", `ge${isoInstant(window.start)}`);
      } else if (resource.type === "Observation") {
        query.append("date", `ge${isoInstant(window.start)}`);
        query.append("date", `lt${isoInstant(window.end)}`);
      } else if (!reachesPresent) {
        continue;
      }
      if (resource.type === "MedicationRequest") query.set("_include", "MedicationRequest:medication");
      try {
        yield* searchPages(ctx, base, resource.kind, query);
      } catch (error) {
        if (error instanceof ProviderRequestError && error.status === 403) {
          refused.push(resource.type);
          continue;
        }
        throw error;
      }
    }
    if (refused.length > 0) {
      const words = inWords(refused);
      throw new DataNotSharedError(`Your health system did not share your ${words} with Wellness OS. Reconnect and allow ${words} to include them.`);
    }
  }

  return {
    kinds: FHIR_KINDS,
    cadenceMinutes: 24 * 60,
    // Labs are often resulted days after they are drawn; a week's look back catches late and amended ones.
    lookbackHours: 7 * 24,
    backfillDays: 20 * 365,
    backfillJobDays: 2 * 365,
    maxRequestsPerJob: MAX_REQUESTS_PER_JOB,
    pull,
    normalize: normalizeFhir,
  };
}
