import type { DevelopmentKit } from "../platform/development";
import { sandboxAuthorizationEndpoint, sandboxCredentials } from "../sandbox/credentials";
import { createSandboxFetch } from "../sandbox/fetch";
import { SANDBOX_CONTROLS, SANDBOXES } from "../sandbox/registry";
import { devSessionUser } from "./session";

/** Everything production code may reach of the development features, through src/platform/development.ts. */
export const developmentKit: DevelopmentKit = {
  sandboxFetch: createSandboxFetch,
  sandboxCredentials,
  sandboxAuthorizationEndpoint,
  sandboxHealthSystems: (source) => SANDBOXES.get(source)?.healthSystems ?? [],
  sandboxNote: (place, vendor) =>
    place === "page" ? (
      <p class="sandbox-note">Development: sources without credentials connect to local sandboxes that simulate each provider with generated data.</p>
    ) : (
      <p class="sandbox-note">Development sandbox: you will approve on a simulated {vendor} page and receive generated data. No real account is used.</p>
    ),
  sandboxControls: (source, csrfToken) => {
    const Control = SANDBOX_CONTROLS.get(source);
    return Control ? <Control csrfToken={csrfToken} /> : null;
  },
  sessionUser: devSessionUser,
  signInPath: (next) => `/dev/sign-in?next=${encodeURIComponent(next)}`,
};
