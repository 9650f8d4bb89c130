import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env";
import { isDevelopment, missingConfiguration } from "./config";
import { database } from "./db/client";
import { csrfProtection, refuseOtherSites } from "./middleware/csrf-token";
import { d1Session } from "./middleware/d1-session";
import { formBody } from "./middleware/form-body";
import { type IdentityOptions, identity } from "./middleware/identity";
import { noStore } from "./middleware/no-store";
import type { EngineOptions } from "./oauth/engine";
import { development } from "./platform/development";
import { mobileHandoffRoutes, phoneHandoffRoutes } from "./providers/junction/handoff-routes";
import { junctionLinkRoutes } from "./providers/junction/link-routes";
import { apiV1Routes } from "./routes/api-v1";
import { preferenceRoutes } from "./routes/body-detail";
import { dayRoutes } from "./routes/days";
import { errorResponse } from "./routes/errors";
import { integrationRoutes } from "./routes/integrations";
import { liveRoutes } from "./routes/live";
import { purchaseRoutes } from "./routes/purchases";
import { settingsRoutes } from "./routes/settings";
import { webhookRoutes } from "./routes/webhooks";
import { formActionSources } from "./security/content-security-policy";

/** Forms and htmx posts are small; anything bigger is refused before it is read. */
export const FORM_BODY_LIMIT_BYTES = 16 * 1024;

export interface AppOptions {
  identity?: IdentityOptions;
  /** Provider fetch and timeouts for the OAuth engine (tests shorten the timeout). */
  engine?: EngineOptions;
  webhooks?: { now?: () => number };
}

export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("user")) return next();
  const kit = development();
  if (kit && isDevelopment(c.env)) {
    const signIn = kit.signInPath(new URL(c.req.url).pathname);
    if (c.req.header("HX-Request") === "true") {
      c.header("HX-Redirect", signIn);
      return c.body(null, 401);
    }
    return c.redirect(signIn, 303);
  }
  return errorResponse(c, 401, "Sign in through your organisation's Cloudflare Access to manage integrations.");
};

export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'", (c) => formActionSources(c.env as Env)],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: "same-origin",
      crossOriginOpenerPolicy: "same-origin",
    }),
  );

  app.use(noStore());

  // The bare route the benchmark compares the settings page against: same Worker, same middleware above.
  app.get("/healthz", (c) => c.text("ok"));

  app.use(async (c, next) => {
    const missing = missingConfiguration(c.env);
    if (missing.length > 0) {
      console.error(JSON.stringify({ event: "configuration_missing", names: missing }));
      return errorResponse(c, 503, "This deployment is not fully configured yet. The team has been told.");
    }
    c.set("d1", c.env.DB);
    c.set("db", database(c.env.DB));
    await next();
  });

  // Provider webhooks: no session, no CSRF, their own size limits and signatures (src/routes/webhooks.ts).
  app.route("/webhooks", webhookRoutes(options.webhooks));
  // The service API for the rest of Wellness OS: a bearer token, not a person's session.
  app.route("/api/v1", apiV1Routes);

  app.use(
    bodyLimit({
      maxSize: FORM_BODY_LIMIT_BYTES,
      onError: (c) => errorResponse(c as never, 413, "That submission is larger than Wellness OS accepts. Shorten it and try again."),
    }),
  );
  app.use(formBody());
  app.use(identity(options.identity));
  // From here a signed-in person reads and writes D1 through their own session (read replication, read-your-writes).
  app.use(d1Session());

  app.get("/", (c) => c.redirect("/settings", 302));

  for (const area of ["/settings", "/settings/*", "/api/integrations/*", "/live/*"]) {
    app.use(area, requireUser, csrfProtection());
  }
  app.route("/settings/purchases", purchaseRoutes);
  app.route("/settings/preferences", preferenceRoutes);
  app.route("/settings/days", dayRoutes);
  app.route("/settings", settingsRoutes);
  app.route("/api/integrations", junctionLinkRoutes);
  app.route("/api/integrations", phoneHandoffRoutes);
  app.route("/api/integrations", integrationRoutes(options.engine));
  // The mobile app: the person's identity, JSON only (no browser form can send it), so no CSRF token.
  app.use("/api/mobile/*", requireUser, refuseOtherSites());
  app.route("/api/mobile", mobileHandoffRoutes);
  app.route("/live", liveRoutes);

  app.notFound((c) => errorResponse(c, 404, "There is no such page."));
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status < 500) {
      const message = err.status === 403 ? "This request did not come from a Wellness OS page. Reload the page and try again." : "That request was not valid.";
      return errorResponse(c, err.status as 400, message);
    }
    // Log the kind of failure and where, never the message of errors that may quote tokens or provider bodies.
    console.error(JSON.stringify({ event: "unhandled_error", name: err.name, path: new URL(c.req.url).pathname }));
    return errorResponse(c, 500, "Something went wrong on our side. Nothing was changed; please try again.");
  });

  return app;
}
