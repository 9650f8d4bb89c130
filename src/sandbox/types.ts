import { Hono, type MiddlewareHandler } from "hono";
import type { SourceId } from "../domain/integration";
import type { HealthSystem } from "../providers/smart-fhir/systems";
import { type VerifiedAccess, verifyAccessToken } from "./grants";

export interface SandboxEnv {
  Bindings: Env;
  Variables: { access: VerifiedAccess };
}

/**
 * A local simulator of one provider: its consent is the shared /sandbox/:source/authorize page, its token
 * endpoint the shared sandbox authorization server, and `api` answers the provider's data URLs (real hosts and
 * paths, so the adapter code is the same code that talks to the real provider) with generated data in the
 * provider's published payload shapes.
 */
export interface ProviderSandbox {
  source: SourceId;
  hosts: readonly string[];
  accessTokenTtlSeconds: number;
  /**
   * Token endpoints named by discovery (SMART: one per health system the sandbox serves); OAuth 2.0 sources answer
   * at their adapter's token URL.
   */
  tokenEndpoints?: (env: Env) => readonly string[];
  /** A source connected per health system: the systems this sandbox serves, as its directory lists them. */
  healthSystems?: readonly HealthSystem[];
  /** Fields the real provider adds to a token response (e.g. SMART's `patient`); `tokenUrl` says which endpoint answered. */
  tokenResponseExtras?: (subject: string, tokenUrl: string) => Record<string, unknown>;
  /**
   * A provider whose token endpoint answers in its own envelope (Withings: `{status, body}`, errors in an HTTP 200):
   * takes the request and the shared endpoint's RFC 6749 answer to it, and answers as the provider would.
   */
  wrapTokenEndpoint?: (request: Request, answer: (request: Request) => Promise<Response>) => Promise<Response>;
  /** WHOOP issues a new refresh token on refresh only when `offline` is in the requested scope. */
  refreshNeedsOfflineScope?: boolean;
  api: Hono<SandboxEnv>;
}

/** Requires a valid sandbox bearer token issued for `source`, as the real API requires its own. */
export function sandboxBearer(source: SourceId): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    const access = token ? await verifyAccessToken(c.env, token) : null;
    if (!access || access.source !== source) return c.json({ detail: "Unauthorized", status: 401 }, 401);
    c.set("access", access);
    await next();
  };
}

export function sandboxApi(): Hono<SandboxEnv> {
  return new Hono<SandboxEnv>();
}
