import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { sandboxSubject } from "../../sandbox/grants";
import { sandboxWithingsWeighIn } from "./sandbox";

/**
 * Development only (mounted by src/development/index.ts under /sandbox): the sandbox person steps on their scale.
 * The sandbox records the weigh-in and posts Withings' notification to each callback the person is subscribed
 * with, through this same Worker's webhook endpoint, so the weigh-in arrives the way a real one does: the
 * endpoint verifies and queues it, the webhook consumer pulls the window, the detail page shows it.
 */
export function sandboxScaleRoutes(app: { fetch: (request: Request, env: Env) => Response | Promise<Response> }) {
  return new Hono<AppEnv>().post("/withings/weigh-in", async (c) => {
    const subject = await sandboxSubject("withings", c.get("user").id);
    const { callbacks, form } = sandboxWithingsWeighIn(subject, Date.now());
    let delivered = 0;
    for (const callback of callbacks) {
      const response = await app.fetch(
        new Request(callback, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form }),
        c.env,
      );
      if (response.ok) delivered++;
    }
    console.log(JSON.stringify({ event: "sandbox_withings_weigh_in", callbacks: callbacks.length, delivered }));
    return c.redirect("/settings/connections/withings", 303);
  });
}

/** The detail page's "step on the scale" for a sandbox connection. */
export function WithingsScaleControl({ csrfToken }: { csrfToken: string }) {
  return (
    <form method="post" action="/sandbox/withings/weigh-in" class="sandbox-note">
      <input type="hidden" name="_csrf" value={csrfToken} />
      Sandbox scale:{" "}
      <button type="submit" class="btn btn-quiet">
        Step on the scale
      </button>{" "}
      Withings' notification brings the weigh-in here.
    </form>
  );
}
