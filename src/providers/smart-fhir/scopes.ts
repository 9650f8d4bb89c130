import type { SmartConfiguration } from "../../oauth/smart-discovery";
import { FHIR_RESOURCES, type FhirResourceType } from "./resources";

/** What every SMART standalone patient launch asks for besides the resources. */
const LAUNCH_SCOPES = ["launch/patient", "offline_access", "openid", "fhirUser"] as const;

/** The Patient resource is read for the person's identity; the rest are what the records view shows. */
const READ_TYPES = ["Patient", ...FHIR_RESOURCES.map((resource) => resource.type)] as const;

/**
 * Whether the server speaks SMART v2 scopes (`patient/Observation.rs`). SMART App Launch 2.0 has servers
 * advertise `permission-v2` in capabilities (and v2 scopes in scopes_supported); a server that says neither is
 * asked in v1 names (`patient/Observation.read`), which every SMART server accepts.
 */
export function speaksScopesV2(config: Pick<SmartConfiguration, "capabilities" | "scopes_supported">): boolean {
  if (config.capabilities?.includes("permission-v2")) return true;
  return (config.scopes_supported ?? []).some(
    (scope) => /^(patient|user|system)\/[A-Za-z*]+\.c?r?u?d?s?$/.test(scope) && !scope.endsWith(".read") && !scope.endsWith(".write"),
  );
}

/** The scopes to ask a health system for, per resource, in the version its configuration advertises. */
export function smartScopes(config: Pick<SmartConfiguration, "capabilities" | "scopes_supported">): string[] {
  const suffix = speaksScopesV2(config) ? "rs" : "read";
  return [...LAUNCH_SCOPES, ...READ_TYPES.map((type) => `patient/${type}.${suffix}`)];
}

/** Whether one granted scope lets us search `type` for the patient (v1 `read`/`*`, v2 with both `r` and `s`). */
function allows(scope: string, type: string): boolean {
  const match = /^(patient|user)\/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?$/.exec(scope);
  if (!match || (match[2] !== type && match[2] !== "*")) return false;
  const permission = match[3]!;
  if (permission === "read" || permission === "*") return true;
  return /^c?r?u?d?s?$/.test(permission) && permission.includes("r") && permission.includes("s");
}

/**
 * The resources a granted scope string leaves out. A token response without `scope` granted what was asked
 * (RFC 6749 §5.1), so nothing is missing then.
 */
export function resourcesNotGranted(granted: string | null): FhirResourceType[] {
  if (granted === null) return [];
  const scopes = granted.split(/\s+/).filter(Boolean);
  return FHIR_RESOURCES.map((resource) => resource.type).filter((type) => !scopes.some((scope) => allows(scope, type)));
}
