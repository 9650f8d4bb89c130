/** A health system a person can connect: as a directory lists it, or as they entered its FHIR base. */
export interface HealthSystem {
  name: string;
  /** The FHIR R4 base, normalized (normalizeFhirBase): also the connection's account. */
  fhirBase: string;
}

/** Longer than any published FHIR base (Epic's longest is about 100 characters); a bound on what is parsed. */
const MAX_FHIR_BASE_CHARS = 500;

export type FhirBaseCheck = { ok: true; fhirBase: string } | { ok: false; reason: string };

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A FHIR base a person typed, as the one form every connection keys on: https only (the bearer token and the
 * person's records travel over it), no credentials, query or fragment, a public host name (not an IP address or
 * localhost), lower-case host, no trailing slash. The path keeps its case: FHIR servers' paths are case-sensitive.
 */
export function normalizeFhirBase(input: string): FhirBaseCheck {
  const text = input.trim();
  if (text.length === 0) return { ok: false, reason: "Enter your health system's FHIR address (it starts with https://)." };
  if (text.length > MAX_FHIR_BASE_CHARS) return { ok: false, reason: "That address is too long to be a FHIR address." };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "That is not a web address. A FHIR address starts with https://." };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "The FHIR address must start with https:// (your records only travel encrypted)." };
  if (url.username || url.password) return { ok: false, reason: "The FHIR address must not contain a user name or password." };
  if (url.search || url.hash) return { ok: false, reason: "The FHIR address must not contain ? or #: enter the base address only." };
  const host = url.hostname;
  if (host === "localhost" || host.endsWith(".localhost") || IPV4.test(host) || host.startsWith("[") || !host.includes(".")) {
    return { ok: false, reason: "The FHIR address must name a health system's public server, not an IP address or this computer." };
  }
  return { ok: true, fhirBase: `https://${url.host}${url.pathname.replace(/\/+$/, "")}` };
}

/** The name a system is shown by when a person entered its address themselves: its host. */
export const systemNameFromBase = (fhirBase: string) => new URL(fhirBase).hostname;

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * Systems whose name (or host) contains every word of the query, names starting with the query first; at most
 * `limit`. An empty query lists none: the directory has over a thousand entries.
 */
export function searchSystems(directory: readonly HealthSystem[], query: string, limit = 20): HealthSystem[] {
  const wanted = words(query);
  if (wanted.length === 0) return [];
  const lower = query.trim().toLowerCase();
  const matches = directory.filter((system) => {
    const haystack = `${system.name} ${new URL(system.fhirBase).hostname}`.toLowerCase();
    return wanted.every((word) => haystack.includes(word));
  });
  const rank = (system: HealthSystem) => (system.name.toLowerCase().startsWith(lower) ? 0 : 1);
  return matches.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, limit);
}

/** The directory's entry for a FHIR base, if it lists it (so an entered address still gets its system's name). */
export function findSystem(directory: readonly HealthSystem[], fhirBase: string): HealthSystem | undefined {
  return directory.find((system) => system.fhirBase === fhirBase);
}
