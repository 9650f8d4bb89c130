import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { requireUser } from "../../app";
import type { AppEnv } from "../../app-env";
import { junctionUsers } from "../../db/schema";
import { errorResponse } from "../../routes/errors";
import { renderPage } from "../../routes/render";
import { sandboxActivity, sandboxHeartRate, sandboxSleep } from "./sandbox";

/**
 * Development only: a page that plays the Wellness OS phone app and Junction's mobile SDK. It takes the handoff code
 * (from the settings page's QR link), trades it at the real /api/mobile/junction/handoff, "grants" the permissions
 * the person ticks, and then does what Junction does once the SDK has synced: Svix-signed webhooks to the real
 * /webhooks/junction with HealthKit- or Health Connect-shaped data. Everything after that is production code.
 */

type SelfFetch = (request: Request, env: Env) => Response | Promise<Response>;

const PERMISSIONS = { sleep: "Sleep", activity: "Steps and activity", heartrate: "Heart rate" } as const;
type Permission = keyof typeof PERMISSIONS;

const GrantForm = z.object({
  code: z.string().min(20).max(200),
  permissions: z.array(z.enum(["sleep", "activity", "heartrate"])).default([]),
});

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 14;

function PhonePage({ code, csrfToken, error }: { code: string; csrfToken: string; error?: string }) {
  return (
    <div class="modal-page">
      <div class="modal-content">
        <h1 id="modal-title">Wellness OS on your phone (simulated)</h1>
        <p>
          This development page stands in for the mobile app: it connects with the code from your settings page, asks for the same permissions the app would,
          and sends the data the way Junction does.
        </p>
        {error ? (
          <p class="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <form method="post" action="/dev/phone">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <input type="hidden" name="code" value={code} />
          <fieldset>
            <legend>Allow Wellness OS to read</legend>
            {Object.entries(PERMISSIONS).map(([value, label]) => (
              <label class="consent">
                <input type="checkbox" name="permissions" value={value} checked /> {label}
              </label>
            ))}
          </fieldset>
          <div class="modal-actions">
            <button type="submit" class="btn btn-primary">
              Allow and connect
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** The envelope Junction sends (https://docs.junction.com/webhooks/event-structure). */
function envelope(eventType: string, junctionUserId: string, clientUserId: string, data: Record<string, unknown>) {
  return JSON.stringify({
    event_type: eventType,
    user_id: junctionUserId,
    client_user_id: clientUserId,
    team_id: "sandbox-team",
    data: { ...data, user_id: junctionUserId },
  });
}

/** Sends Junction's events to the real endpoint, signed as Junction's Svix signs them. */
async function deliverAll(selfFetch: SelfFetch, env: Env, origin: string, secret: string, events: readonly string[]): Promise<number> {
  const signer = new Webhook(secret);
  let delivered = 0;
  for (const body of events) {
    const id = `msg_${crypto.randomUUID()}`;
    const at = new Date();
    const response = await selfFetch(
      new Request(`${origin}/webhooks/junction`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "svix-id": id,
          "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
          "svix-signature": signer.sign(id, at, body),
        },
        body,
      }),
      env,
    );
    if (response.ok) delivered++;
  }
  return delivered;
}

const webhookSecret = (env: Env) => (env.JUNCTION_WEBHOOK_SECRET ?? "").split(/\s+/).find(Boolean);
const NO_SECRET = "Set JUNCTION_WEBHOOK_SECRET in .dev.vars (a fresh checkout's `npm run dev` writes one), then restart.";

function LinkPage({ provider, csrfToken }: { provider: string; csrfToken: string }) {
  return (
    <div class="modal-page">
      <div class="modal-content">
        <h1 id="modal-title">Junction Link (simulated)</h1>
        <p>
          In production this is Junction's hosted page, which sends you on to <code>{provider}</code> to allow access. Here, allowing sends what Junction would:
          the connection and a few days of data.
        </p>
        <form method="post" action="/dev/phone/link" class="modal-actions">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <input type="hidden" name="provider" value={provider} />
          <button type="submit" class="btn btn-primary">
            Allow
          </button>
        </form>
      </div>
    </div>
  );
}

export function phoneRoutes(selfFetch: SelfFetch) {
  return new Hono<AppEnv>()
    .use(requireUser)
    .get("/", (c) => {
      const code = c.req.query("code") ?? "";
      if (!code) return errorResponse(c, 400, "Open this page from the link or QR code on the settings page.");
      return renderPage(c, "Phone (simulated)", <PhonePage code={code} csrfToken={c.get("csrfToken")} />);
    })
    .post("/", async (c) => {
      const form = await c.req.parseBody({ all: true });
      const permissions = form.permissions === undefined ? [] : Array.isArray(form.permissions) ? form.permissions : [form.permissions];
      const parsed = GrantForm.safeParse({ code: form.code, permissions });
      if (!parsed.success) return errorResponse(c, 400, "Open this page from the link or QR code on the settings page.");
      const secret = webhookSecret(c.env);
      if (!secret) return errorResponse(c, 409, NO_SECRET);

      // The app's own call, with the person's session, as the mobile app makes it.
      const origin = new URL(c.req.url).origin;
      const exchange = await selfFetch(
        new Request(`${origin}/api/mobile/junction/handoff`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie: c.req.header("cookie") ?? "" },
          body: JSON.stringify({ code: parsed.data.code }),
        }),
        c.env,
      );
      if (!exchange.ok) {
        const { error } = (await exchange.json().catch(() => ({ error: "the exchange failed" }))) as { error?: string };
        return renderPage(
          c,
          "Phone (simulated)",
          <PhonePage code={parsed.data.code} csrfToken={c.get("csrfToken")} error={`Could not connect: ${error}.`} />,
          400,
        );
      }
      const { provider } = (await exchange.json()) as { provider: string };
      // What the SDK signed in as: the person's Junction user, which the exchange made on first need.
      const user = c.get("user");
      const [person] = await c.get("db").select().from(junctionUsers).where(eq(junctionUsers.userId, user.id)).limit(1);
      if (!person) return errorResponse(c, 502, "The exchange did not leave a Junction user.");
      const junctionUserId = person.junctionUserId;
      const now = Date.now();
      const today = new Date(now).toISOString().slice(0, 10);
      const days = Array.from({ length: 3 }, (_, i) => new Date(now - (2 - i) * DAY_MS).toISOString().slice(0, 10));
      const granted = new Set<Permission>(parsed.data.permissions);

      const events: string[] = [envelope("provider.connection.created", junctionUserId, user.id, { source: { slug: provider } })];
      if (granted.has("sleep")) {
        for (const day of days) events.push(envelope("daily.data.sleep.created", junctionUserId, user.id, sandboxSleep(junctionUserId, provider, day)));
        events.push(
          envelope("historical.data.sleep.created", junctionUserId, user.id, {
            start_date: new Date(now - HISTORY_DAYS * DAY_MS).toISOString(),
            end_date: new Date(now).toISOString(),
            provider,
          }),
        );
      }
      if (granted.has("activity")) {
        for (const day of days) events.push(envelope("daily.data.activity.created", junctionUserId, user.id, sandboxActivity(junctionUserId, provider, day)));
      }
      if (granted.has("heartrate")) {
        events.push(
          envelope("daily.data.heartrate.created", junctionUserId, user.id, {
            data: sandboxHeartRate(junctionUserId, provider, today, now),
            source: { slug: provider },
          }),
        );
      }

      const delivered = await deliverAll(selfFetch, c.env, origin, secret, events);
      return renderPage(
        c,
        "Phone (simulated)",
        <div class="modal-page">
          <div class="modal-content">
            <h1 id="modal-title">Connected</h1>
            <p>
              The phone sent {delivered} of {events.length} Junction events. Open your <a href="/settings">settings page</a>: the card turns connected and its
              data arrives as the queue works through them.
            </p>
          </div>
        </div>,
      );
    })
    .get("/link", (c) => {
      const provider = c.req.query("provider") ?? "";
      if (!/^[a-z0-9_]{1,40}$/.test(provider)) return errorResponse(c, 400, "Open this page from a Connect button that goes through Junction.");
      return renderPage(c, "Junction Link (simulated)", <LinkPage provider={provider} csrfToken={c.get("csrfToken")} />);
    })
    .post("/link", async (c) => {
      const form = await c.req.parseBody();
      const provider = typeof form.provider === "string" && /^[a-z0-9_]{1,40}$/.test(form.provider) ? form.provider : null;
      if (!provider) return errorResponse(c, 400, "Open this page from a Connect button that goes through Junction.");
      const secret = webhookSecret(c.env);
      if (!secret) return errorResponse(c, 409, NO_SECRET);
      const user = c.get("user");
      const [person] = await c.get("db").select().from(junctionUsers).where(eq(junctionUsers.userId, user.id)).limit(1);
      if (!person) return errorResponse(c, 400, "Start from the Connect button on the settings page.");
      const now = Date.now();
      const days = Array.from({ length: 3 }, (_, i) => new Date(now - (2 - i) * DAY_MS).toISOString().slice(0, 10));
      const events = [
        envelope("provider.connection.created", person.junctionUserId, user.id, { source: { slug: provider } }),
        ...days.map((day) => envelope("daily.data.sleep.created", person.junctionUserId, user.id, sandboxSleep(person.junctionUserId, provider, day))),
        ...days.map((day) => envelope("daily.data.activity.created", person.junctionUserId, user.id, sandboxActivity(person.junctionUserId, provider, day))),
      ];
      await deliverAll(selfFetch, c.env, new URL(c.req.url).origin, secret, events);
      return c.redirect("/settings", 303);
    });
}
