import type { DevelopmentKit } from "../platform/development";
import { WithingsScaleControl } from "../providers/withings/sandbox-scale";
import { sandboxAuthorizationEndpoint, sandboxCredentials } from "../sandbox/credentials";
import { createSandboxFetch } from "../sandbox/fetch";
import { devSessionUser } from "./session";

/** Everything production code may reach of the development features, through src/platform/development.ts. */
export const developmentKit: DevelopmentKit = {
  sandboxFetch: createSandboxFetch,
  sandboxCredentials,
  sandboxAuthorizationEndpoint,
  sandboxNote: (place, vendor) =>
    place === "card" ? (
      <p class="sandbox-note">Sandbox</p>
    ) : (
      <p class="sandbox-note">Development sandbox: you will approve on a simulated {vendor} page and receive generated data. No real account is used.</p>
    ),
  sandboxControls: (source, csrfToken) => (source === "withings" ? <WithingsScaleControl csrfToken={csrfToken} /> : null),
  sessionUser: devSessionUser,
  signInPath: (next) => `/dev/sign-in?next=${encodeURIComponent(next)}`,
};
