import { Hono } from "hono";
import { generate } from "lean-qr";
import { toSvgSource } from "lean-qr/extras/svg";
import { z } from "zod";
import { PhoneHandoffCode } from "../../../views/phone-handoff";
import type { AppEnv } from "../../app-env";
import { sourceMode } from "../../domain/availability";
import { catalogEntry } from "../../domain/catalog";
import { parseBoundedJson } from "../../lib/bounded-json";
import { ProviderUnavailableError } from "../../oauth/errors";
import { development } from "../../platform/development";
import { errorResponse } from "../../routes/errors";
import { renderModal } from "../../routes/render";
import { sourceParam } from "../../routes/source-param";
import { JunctionAuthError, JunctionClient, junctionConfig } from "./api";
import { createHandoff, HANDOFF_TTL_MS, redeemHandoff } from "./handoff";
import { slugForSource } from "./sources";
import { ensureJunctionUser } from "./users";

/** Where the phone goes: the app's universal link (the code in the fragment, which no server log sees). */
const PHONE_PATH = "/phone/connect";
/** In development the browser plays the phone (src/providers/junction/phone-page.tsx). */
const DEVELOPMENT_PHONE_PATH = "/dev/phone";

/**
 * The settings page's half of the phone handoff (mounted under /api/integrations, behind the session and CSRF):
 * a one-time code for the signed-in person and the source, shown as a QR code and a link.
 */
export const phoneHandoffRoutes = new Hono<AppEnv>().post("/:source/handoff", sourceParam, async (c) => {
  const entry = catalogEntry(c.req.valid("param").source);
  if (entry.connectMethod !== "aggregator") return errorResponse(c, 404, `${entry.name} is not connected from a phone.`);
  const mode = sourceMode(entry, c.env);
  if (mode === "unavailable") return errorResponse(c, 409, `${entry.name} is not available to connect yet.`);
  const handoff = await createHandoff(c.get("db"), c.get("user").id, entry.id, Date.now());
  const link =
    mode === "sandbox"
      ? new URL(`${DEVELOPMENT_PHONE_PATH}?code=${encodeURIComponent(handoff.code)}`, c.req.url).toString()
      : `${new URL(PHONE_PATH, c.env.PUBLIC_BASE_URL).toString()}#code=${encodeURIComponent(handoff.code)}`;
  const qrSvg = toSvgSource(generate(link), { on: "#111", off: "#fff", pad: 2, width: 240, height: 240 });
  c.header("Cache-Control", "no-store");
  return renderModal(c, `Connect ${entry.name}`, () => <PhoneHandoffCode name={entry.name} link={link} qrSvg={qrSvg} minutes={HANDOFF_TTL_MS / 60_000} />);
});

const ExchangeBody = z.object({ code: z.string().min(20).max(200) });

const problem = (status: 401 | 403 | 409 | 410 | 415 | 400 | 502 | 503, error: string, headers: Record<string, string> = {}) =>
  Response.json({ error }, { status, headers: { "Cache-Control": "no-store", ...headers } });

/**
 * The mobile app's half (mounted under /api/mobile, behind the person's identity): it trades the code for a Junction
 * sign-in token, with which Junction's SDK signs in on the phone. JSON only, which a cross-site form cannot send.
 */
export const mobileHandoffRoutes = new Hono<AppEnv>().post("/junction/handoff", async (c) => {
  if (!(c.req.header("content-type") ?? "").startsWith("application/json")) return problem(415, "send application/json");
  // The shared bounded parser (src/lib/bounded-json.ts): nesting checked before JSON.parse.
  const json = parseBoundedJson(await c.req.text());
  if (!json.ok) return problem(400, json.reason);
  const parsed = ExchangeBody.safeParse(json.value);
  if (!parsed.success) return problem(400, 'expected {"code": "…"}');
  const body: z.infer<typeof ExchangeBody> = parsed.data;
  const user = c.get("user");
  const db = c.get("db");
  const redeemed = await redeemHandoff(db, user.id, body.code, Date.now());
  if (!redeemed.ok) {
    if (redeemed.reason === "used") return problem(410, "this code was already used; show a new one on the settings page");
    if (redeemed.reason === "other_person") return problem(403, "this code belongs to someone else");
    return problem(401, redeemed.reason === "expired" ? "this code expired; show a new one on the settings page" : "unknown code");
  }
  const config = junctionConfig(c.env, development() !== null);
  if (!config) return problem(409, "Junction is not configured in this deployment");
  const client = new JunctionClient(c.env, config);
  try {
    const person = await ensureJunctionUser(db, client, user.id, config.mode);
    const { signInToken } = await client.signInToken(person.junctionUserId);
    return c.json({ sign_in_token: signInToken, source: redeemed.source, provider: slugForSource(redeemed.source) }, 200, { "Cache-Control": "no-store" });
  } catch (error) {
    if (error instanceof ProviderUnavailableError)
      return problem(503, "Junction is unavailable just now; try again", { "Retry-After": String(error.retryAfterSeconds ?? 30) });
    if (error instanceof JunctionAuthError) {
      console.error(JSON.stringify({ event: "junction_key_refused", status: error.status }));
      return problem(502, "Junction refused this deployment's key");
    }
    throw error;
  }
});
