import { sha256Hex } from "./encoding";

/** A random, prefixed, URL-safe id: `conn_…`, `run_…`. The prefix says what the id names in logs and URLs. */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * A user's id is derived from how they signed in, so no lookup is needed on each request:
 * `access:<sub>` for Cloudflare Access, `dev:<email>` for the development sign-in.
 */
export async function userIdFor(identity: `access:${string}` | `dev:${string}`): Promise<string> {
  return `usr_${(await sha256Hex(identity)).slice(0, 32)}`;
}
