import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { database } from "../../db/client";
import { integrationConnections } from "../../db/schema";
import { MalformedPayloadError } from "../../domain/records";
import { timingSafeEqual } from "../../lib/encoding";
import type { WebhookEvent, WebhookSpec, WebhookVerification } from "../types";
import { SUBSCRIBED_APPLIS, withingsWebhookSecret } from "./subscriptions";

/** The documented notification is five short form fields (~80 bytes); 4 KB leaves room for the fields Withings adds. */
const MAX_BODY_BYTES = 4 * 1024;
/** A window a notification announces is padded by a second at its end: Withings' enddate is inclusive. */
const SECOND_MS = 1000;

/**
 * A data notification: userid, appli, startdate, enddate (epoch seconds), form-encoded
 * (https://developer.withings.com/developer-guide/v3/data-api/notifications/notification-content/).
 */
const Notification = z.object({
  userid: z.string().regex(/^\d{1,20}$/),
  appli: z.coerce.number().int(),
  startdate: z.coerce.number().int().nonnegative(),
  enddate: z.coerce.number().int().nonnegative(),
});

const reject = (status: 401 | 404 | 400, reason: string): WebhookVerification => ({ ok: false, status, reason });

/**
 * The secret comes as /webhooks/withings?key=<secret>: in the query string, which wrangler's redact_query_string
 * keeps out of traces (a path segment would be recorded in every trace of a notification).
 */
function presentedSecret(request: Request): string {
  return new URL(request.url).searchParams.get("key") ?? "";
}

async function secretMatches(request: Request, env: Env): Promise<boolean> {
  const expected = await withingsWebhookSecret(env);
  const presented = presentedSecret(request);
  return expected !== null && presented.length > 0 && timingSafeEqual(presented, expected);
}

function decode(raw: Uint8Array<ArrayBuffer>): unknown {
  return Object.fromEntries(new URLSearchParams(new TextDecoder().decode(raw)));
}

/**
 * Withings signs nothing: a notification is genuine when it comes to the URL with our secret and names a person
 * connected to Withings here. The second check costs one indexed D1 read, the only one on a webhook's hot path,
 * and it is what lets an unknown user be answered 404 with nothing queued.
 */
async function verify(request: Request, raw: Uint8Array<ArrayBuffer>, env: Env): Promise<WebhookVerification> {
  if (!(await secretMatches(request, env))) return reject(401, "unknown callback");
  const fields = Notification.safeParse(decode(raw));
  if (!fields.success) return reject(400, "expected the form fields userid, appli, startdate and enddate");
  const known = await database(env.DB)
    .select({ id: integrationConnections.id })
    .from(integrationConnections)
    .where(
      and(
        eq(integrationConnections.sourceId, "withings"),
        eq(integrationConnections.externalUserId, fields.data.userid),
        inArray(integrationConnections.status, ["connected", "error"]),
      ),
    )
    .limit(1);
  if (known.length === 0) return reject(404, "no connected person with that Withings user id");
  return { ok: true };
}

/**
 * Withings checks a callback URL when a subscription is made, with a HEAD (older docs: GET) that must answer 200.
 * Only our URL, with its secret, answers so.
 */
async function handshake(request: Request, env: Env): Promise<Response | null> {
  if (request.method !== "HEAD" && request.method !== "GET") return null;
  if (!(await secretMatches(request, env))) return Response.json({ error: "unknown callback" }, { status: 401 });
  return new Response(null, { status: 200 });
}

function parse(body: unknown): WebhookEvent[] {
  const parsed = Notification.safeParse(body);
  if (!parsed.success) throw new MalformedPayloadError("withings notification: expected userid, appli, startdate, enddate");
  const { userid, appli, startdate, enddate } = parsed.data;
  // Other categories (sleep, activity, user events) are not subscribed; one arriving is acknowledged and ignored.
  if (!(SUBSCRIBED_APPLIS as readonly number[]).includes(appli) || enddate < startdate) return [];
  return [
    {
      // The same announcement twice is the same event: the consumer's ledger drops the second.
      eventId: `${userid}:${appli}:${startdate}:${enddate}`,
      externalUserId: userid,
      window: { start: startdate * 1000, end: enddate * 1000 + SECOND_MS },
      kinds: ["measures"],
    },
  ];
}

export const withingsWebhook: WebhookSpec = {
  path: "withings",
  maxBodyBytes: MAX_BODY_BYTES,
  handshake,
  verify,
  decode,
  parse,
};
