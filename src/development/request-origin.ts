import { isDevelopment } from "../config";

/**
 * Any port in development: the public origin is the one the browser used, so `npm run dev -- --port 8811` builds
 * OAuth redirect URIs, the sandbox consent URL and the CSP's `form-action` for :8811 instead of the configured
 * PUBLIC_BASE_URL (whose port would silently break Connect). Production keeps its configured origin: there the
 * Host header is not to be trusted for redirect URIs.
 */
export function withRequestOrigin(request: Request, env: Env): Env {
  if (!isDevelopment(env)) return env;
  const origin = new URL(request.url).origin;
  if (origin === env.PUBLIC_BASE_URL.replace(/\/+$/, "")) return env;
  // One object per origin, so per-env caches (the CSP's form-action, the configuration check) keep working; a few
  // origins at most in development, and never more than MAX_ORIGINS objects whatever Host headers arrive.
  let byOrigin = derived.get(env);
  if (!byOrigin) {
    byOrigin = new Map();
    derived.set(env, byOrigin);
  }
  const known = byOrigin.get(origin);
  if (known) return known;
  const next = { ...env, PUBLIC_BASE_URL: origin };
  if (byOrigin.size < MAX_ORIGINS) byOrigin.set(origin, next);
  return next;
}

const MAX_ORIGINS = 8;
const derived = new WeakMap<Env, Map<string, Env>>();

/** localhost, *.localhost, 127.0.0.0/8 and ::1: the only hosts the development sign-in answers on. */
export function isLoopbackHost(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
