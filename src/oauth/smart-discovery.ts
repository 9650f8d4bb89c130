import { z } from "zod";
import { ProviderUnavailableError } from "./errors";

/** The part of SMART App Launch's `.well-known/smart-configuration` the standalone launch needs. */
export const SmartConfiguration = z.object({
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  revocation_endpoint: z.url().optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  scopes_supported: z.array(z.string()).optional(),
  capabilities: z.array(z.string()).optional(),
});
export type SmartConfiguration = z.infer<typeof SmartConfiguration>;

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const cache = new Map<string, { value: SmartConfiguration; at: number }>();

/**
 * SMART 2.x servers SHALL publish `{fhirBase}/.well-known/smart-configuration` (the CapabilityStatement
 * extension is deprecated), so that is the only place we look. Cached an hour per isolate.
 */
export async function discoverSmartConfiguration(fhirBaseUrl: string, fetcher: typeof fetch, timeoutMs = 10_000): Promise<SmartConfiguration> {
  const url = `${fhirBaseUrl.replace(/\/+$/, "")}/.well-known/smart-configuration`;
  const cached = cache.get(url);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.value;
  let response: Response;
  try {
    response = await fetcher(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ProviderUnavailableError(error instanceof DOMException && error.name === "TimeoutError" ? "timeout" : "network");
  }
  if (!response.ok) throw new ProviderUnavailableError("server", response.status);
  const parsed = SmartConfiguration.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new ProviderUnavailableError("server", response.status);
  cache.set(url, { value: parsed.data, at: Date.now() });
  return parsed.data;
}
