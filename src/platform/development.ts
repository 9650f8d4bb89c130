import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv, AppUser } from "../app-env";
import type { SourceId } from "../domain/integration";
import type { HealthSystem } from "../providers/smart-fhir/systems";
import type { ClientCredentials } from "../providers/types";

/**
 * The one seam between production code and the development features (sandbox providers, development sign-in).
 * Production code imports only this file; the development entry (src/development/index.ts) installs the kit, and
 * the production entry (src/index.ts) never does, so none of that code is in the production bundle and, without
 * the kit, sandbox mode and the development sign-in cannot happen.
 */
export interface DevelopmentKit {
  /** A `fetch` that answers provider URLs from the in-process sandboxes instead of the network. */
  sandboxFetch(env: Env): typeof fetch;
  /** The sandbox's OAuth client for a source (a public client has no secret). */
  sandboxCredentials(source: SourceId, env: Env, publicClient: boolean): Promise<ClientCredentials>;
  /** The sandbox's health systems a person picks from, for a source connected per health system. */
  sandboxHealthSystems(source: SourceId): readonly HealthSystem[];
  /** The consent page a browser is sent to instead of the provider's. */
  sandboxAuthorizationEndpoint(source: SourceId, env: Env): string;
  /** The "this is simulated" note: once on the settings page (not on every card), and in a connect dialog. */
  sandboxNote(place: "page" | "connect", vendor: string): Child;
  /** Controls a sandbox offers on a connection's detail page (Withings: step on the scale); null when none. */
  sandboxControls(source: SourceId, csrfToken: string): Child;
  /** The person a development session says is asking; null outside development or without a valid session. */
  sessionUser(c: Context<AppEnv>): Promise<AppUser | null>;
  /** Where a request without a session is sent to sign in. */
  signInPath(next: string): string;
}

let installed: DevelopmentKit | null = null;

/** Called once by the development entry (and by the tests' setup, which run the development configuration). */
export function installDevelopment(kit: DevelopmentKit): void {
  installed = kit;
}

/** The development kit, or null in production. */
export function development(): DevelopmentKit | null {
  return installed;
}

/** The fetch for a connection made in sandbox mode; such a connection cannot exist without the kit. */
export function sandboxFetch(env: Env): typeof fetch {
  if (!installed) throw new Error("a sandbox connection needs the development entry");
  return installed.sandboxFetch(env);
}
