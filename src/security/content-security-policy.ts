import { PROVIDERS } from "../providers/registry";

const cache = new WeakMap<object, string>();

/**
 * Connect is a form that redirects to the provider's consent page, and browsers apply `form-action` to that
 * redirect; so the policy names exactly the providers' authorization origins and nothing else.
 */
export function formActionSources(env: Env): string {
  const cached = cache.get(env);
  if (cached !== undefined) return cached;
  const origins = new Set<string>();
  for (const adapter of Object.values(PROVIDERS)) {
    const auth = adapter.auth;
    if (auth.kind === "oauth2") origins.add(new URL(auth.endpoints(env).authorization).origin);
    else if (auth.kind === "smart-on-fhir") origins.add(new URL(auth.fhirBaseUrl(env)).origin);
  }
  const value = [...origins].sort().join(" ");
  cache.set(env, value);
  return value;
}
