import type { MiddlewareHandler } from "hono";
import { createApp, requireUser } from "../app";
import type { AppEnv } from "../app-env";
import { isDevelopment } from "../config";
import production from "../index";
import { csrfProtection } from "../middleware/csrf-token";
import { installDevelopment } from "../platform/development";
import { phoneRoutes } from "../providers/junction/phone-page";
import { sandboxScaleRoutes } from "../providers/withings/sandbox-scale";
import { errorResponse } from "../routes/errors";
import { sandboxConsentRoutes } from "../sandbox/consent-routes";
import { developmentKit } from "./kit";
import { isLoopbackHost, withRequestOrigin } from "./request-origin";
import { signInRoutes } from "./sign-in";

/**
 * The development entry (wrangler.toml's `[env.development]`: `npm run dev` and the tests): the production Worker plus the
 * sandbox providers and the development sign-in. The production entry, src/index.ts, never imports this file.
 */
installDevelopment(developmentKit);

// Even here, the development routes answer only when ENVIRONMENT=development.
const developmentOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!isDevelopment(c.env)) return errorResponse(c, 404, "There is no such page.");
  await next();
};

// The passwordless sign-in answers only on a loopback host: a development Worker reached by any other name (a
// deploy, a tunnel) has no sign-in at all.
const loopbackOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!isLoopbackHost(c.req.url)) return errorResponse(c, 404, "There is no such page.");
  await next();
};

const app = createApp();
app.use("/dev/*", developmentOnly, loopbackOnly, csrfProtection());
app.route("/dev", signInRoutes);
// The simulated phone: takes the Junction handoff and sends Junction's webhooks (src/providers/junction/phone-page.tsx).
app.route(
  "/dev/phone",
  phoneRoutes((request, env) => app.fetch(request, env)),
);
// The sandbox providers' consent pages, only for a signed-in person.
app.use("/sandbox/*", developmentOnly, requireUser, csrfProtection());
app.route("/sandbox", sandboxConsentRoutes);
app.route("/sandbox", sandboxScaleRoutes(app));

export { UserHub } from "../index";

export default {
  ...production,
  fetch: (request, env, ctx) => app.fetch(request, withRequestOrigin(request, env), ctx),
} satisfies ExportedHandler<Env, unknown>;
