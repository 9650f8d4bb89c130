import type { SourceId } from "../../domain/integration";
import { development } from "../../platform/development";
import type { ConnectionMode } from "../calls";
import { provider } from "../registry";
import { findSystem, type HealthSystem, normalizeFhirBase, systemNameFromBase } from "./systems";

/**
 * The health systems a person picks from: the adapter's published directory for real connections, the sandbox's
 * own systems in sandbox mode (a real system's address cannot be reached from the sandbox).
 */
export function healthSystemDirectory(source: SourceId, mode: ConnectionMode): readonly HealthSystem[] {
  if (mode === "sandbox") return development()?.sandboxHealthSystems(source) ?? [];
  const auth = provider(source).auth;
  return auth.kind === "smart-on-fhir" ? auth.directory : [];
}

/** A system by its normalized FHIR base: named as the directory names it, else by its host. */
export function healthSystemAt(source: SourceId, mode: ConnectionMode, fhirBase: string): HealthSystem {
  return findSystem(healthSystemDirectory(source, mode), fhirBase) ?? { name: systemNameFromBase(fhirBase), fhirBase };
}

/**
 * The connection's account for a system. The deployment's configured system (EPIC_FHIR_BASE_URL, what Connect
 * used before a person could choose) keeps the empty account, so choosing it from the directory reaches the same
 * connection rather than a second one; any other system is keyed by its FHIR base.
 */
export function accountFor(source: SourceId, env: Env, fhirBase: string): string {
  const auth = provider(source).auth;
  if (auth.kind !== "smart-on-fhir") return "";
  const configured = normalizeFhirBase(auth.fhirBaseUrl(env));
  return configured.ok && configured.fhirBase === fhirBase ? "" : fhirBase;
}
