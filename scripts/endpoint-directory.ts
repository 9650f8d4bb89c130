// Pure: a published FHIR Bundle of a vendor's patient-access endpoints → the directory file's entries. Read by
// scripts/refresh-health-systems.ts; tested in test/health-systems/endpoint-directory.test.ts.
//
// Two published shapes are read:
// - Epic's R4 endpoint list (https://open.epic.com/Endpoints/R4): one Endpoint per organization, the organization's
//   name in `Endpoint.name` (and `managingOrganization` pointing at it where the bundle includes the Organization);
// - a SMART "User-access Brands" bundle (https://hl7.org/fhir/smart-app-launch/brands.html): Organizations (brands)
//   with `endpoint` references to Endpoint resources, the name on the Organization.
// Either way an entry is an https FHIR base and the name a person knows the system by.

interface Reference {
  reference?: string;
}

interface BundleResource {
  resourceType?: string;
  id?: string;
  name?: string;
  status?: string;
  address?: string;
  managingOrganization?: Reference;
  endpoint?: Reference[];
}

export interface DirectoryEntry {
  id: string;
  name: string;
  fhirBase: string;
}

/** The same normalized form the Worker keys connections on (src/providers/smart-fhir/systems.ts normalizeFhirBase). */
function normalized(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address.trim().replaceAll(" ", "%20"));
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash) return null;
  return `https://${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

export function directoryFromBundle(bundle: unknown): DirectoryEntry[] {
  const entries = (bundle as { resourceType?: string; entry?: { fullUrl?: string; resource?: BundleResource }[] })?.entry;
  if ((bundle as { resourceType?: string })?.resourceType !== "Bundle" || !Array.isArray(entries)) throw new Error("not a FHIR Bundle");
  const resources = entries.map((entry) => entry.resource).filter((r): r is BundleResource => typeof r === "object" && r !== null);
  const key = (r: BundleResource) => `${r.resourceType}/${r.id}`;
  const organizations = new Map(resources.filter((r) => r.resourceType === "Organization").map((r) => [key(r), r]));
  // A brand names its endpoints; an endpoint may name its organization.
  const brandOf = new Map<string, BundleResource>();
  for (const organization of organizations.values()) for (const ref of organization.endpoint ?? []) if (ref.reference) brandOf.set(ref.reference, organization);

  const seen = new Set<string>();
  const directory: DirectoryEntry[] = [];
  for (const endpoint of resources.filter((r) => r.resourceType === "Endpoint")) {
    if (endpoint.status && endpoint.status !== "active") continue;
    const fhirBase = endpoint.address ? normalized(endpoint.address) : null;
    const organization = brandOf.get(key(endpoint)) ?? organizations.get(endpoint.managingOrganization?.reference ?? "");
    const name = (endpoint.name ?? organization?.name ?? "").trim();
    if (!fhirBase || !name || seen.has(`${name}\u0000${fhirBase}`)) continue;
    seen.add(`${name}\u0000${fhirBase}`);
    directory.push({ id: endpoint.id ?? fhirBase, name, fhirBase });
  }
  return directory.sort((a, b) => a.name.localeCompare(b.name));
}
