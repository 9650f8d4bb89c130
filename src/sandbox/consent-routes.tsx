import { type Context, Hono } from "hono";
import { z } from "zod";
import { SourceMark } from "../../views/card";
import type { AppEnv } from "../app-env";
import { catalogEntry } from "../domain/catalog";
import { SourceId } from "../domain/integration";
import { redirectUriFor } from "../oauth/engine";
import { provider } from "../providers/registry";
import { errorResponse } from "../routes/errors";
import { renderPage } from "../routes/render";
import { sandboxCredentials } from "./credentials";
import { issueCode, sandboxSubject } from "./grants";
import { SANDBOXES } from "./registry";

const AuthorizationRequest = z.object({
  response_type: z.literal("code", { error: "response_type must be code" }),
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  state: z.string().min(1).max(512),
  scope: z.string().max(2000).optional(),
  code_challenge: z.string().min(43).max(128).optional(),
  code_challenge_method: z.literal("S256", { error: "only S256 is accepted" }).optional(),
  aud: z.string().optional(),
});
type AuthorizationRequest = z.infer<typeof AuthorizationRequest>;

/** Checks an authorization request the way the real provider would, before any consent is shown. */
async function validate(c: Context<AppEnv>, source: SourceId, params: Record<string, unknown>): Promise<AuthorizationRequest | string> {
  const parsed = AuthorizationRequest.safeParse(params);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? "invalid request";
  const request = parsed.data;
  const auth = provider(source).auth;
  const expected = await sandboxCredentials(source, c.env);
  if (request.client_id !== expected.clientId) return "unknown client_id";
  if (request.redirect_uri !== redirectUriFor(source, c.env)) return "redirect_uri is not registered for this client";
  const needsPkce = auth.kind === "smart-on-fhir" || (auth.kind === "oauth2" && auth.pkce);
  if (needsPkce && (!request.code_challenge || request.code_challenge_method !== "S256")) return "PKCE (S256) is required";
  if (auth.kind === "oauth2" && auth.stateLength && request.state.length !== auth.stateLength) return `state must be exactly ${auth.stateLength} characters`;
  // The sandbox stands in for each health system it serves, so `aud` must be one of their FHIR bases.
  const bases = [auth.kind === "smart-on-fhir" ? auth.fhirBaseUrl(c.env) : null, ...(SANDBOXES.get(source)?.healthSystems ?? []).map((s) => s.fhirBase)];
  if (auth.kind === "smart-on-fhir" && !bases.includes(request.aud ?? null)) return "aud must be this server's FHIR base URL";
  return request;
}

function ConsentPage({ source, request, email, csrfToken }: { source: SourceId; request: AuthorizationRequest; email: string; csrfToken: string }) {
  const entry = catalogEntry(source);
  const scopes = (request.scope ?? "").split(" ").filter(Boolean);
  return (
    <div class="modal-page sandbox-consent">
      <div class="modal-content">
        <p class="sandbox-note">Development sandbox: a simulation of {entry.vendor}'s consent page. No real account is involved.</p>
        <div class="modal-head">
          <SourceMark id={entry.id} letters={entry.mark.letters} color={entry.mark.color} />
          <h1 id="modal-title">{entry.vendor} (sandbox)</h1>
        </div>
        <p>
          Signed in as <strong>{email}</strong>. <strong>Wellness OS</strong> would like to access your {entry.name} data:
        </p>
        {scopes.length > 0 ? (
          <ul class="scopes">
            {scopes.map((scope) => (
              <li>
                <code>{scope}</code>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">All the data types this app is approved for.</p>
        )}
        <form method="post" class="modal-actions">
          <input type="hidden" name="_csrf" value={csrfToken} />
          {Object.entries(request).map(([name, value]) => (value === undefined ? null : <input type="hidden" name={name} value={value} />))}
          <button type="submit" name="decision" value="allow" class="btn btn-primary">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="btn btn-quiet">
            Deny
          </button>
        </form>
      </div>
    </div>
  );
}

/** Mounted at /sandbox in development only: the consent pages of the sandbox providers. */
export const sandboxConsentRoutes = new Hono<AppEnv>()
  .get("/:source/authorize", async (c) => {
    const source = SourceId.safeParse(c.req.param("source"));
    if (!source.success || !SANDBOXES.has(source.data)) return errorResponse(c, 404, "There is no sandbox for that provider.");
    const request = await validate(c, source.data, c.req.query());
    if (typeof request === "string") return errorResponse(c, 400, `The sandbox refused this authorization request: ${request}.`);
    return renderPage(
      c,
      `${catalogEntry(source.data).vendor} sandbox`,
      <ConsentPage source={source.data} request={request} email={c.get("user").email} csrfToken={c.get("csrfToken")} />,
    );
  })
  .post("/:source/authorize", async (c) => {
    const source = SourceId.safeParse(c.req.param("source"));
    if (!source.success || !SANDBOXES.has(source.data)) return errorResponse(c, 404, "There is no sandbox for that provider.");
    const form = await c.req.parseBody();
    const { decision, _csrf: _ignored, ...params } = form;
    const request = await validate(c, source.data, params);
    if (typeof request === "string") return errorResponse(c, 400, `The sandbox refused this authorization request: ${request}.`);
    const redirect = new URL(request.redirect_uri);
    redirect.searchParams.set("state", request.state);
    if (decision !== "allow") {
      redirect.searchParams.set("error", "access_denied");
      redirect.searchParams.set("error_description", "The user denied access");
      return c.redirect(redirect.toString(), 302);
    }
    const code = await issueCode(c.env, {
      source: source.data,
      subject: await sandboxSubject(source.data, c.get("user").id),
      scope: request.scope ?? "",
      redirectUri: request.redirect_uri,
      codeChallenge: request.code_challenge ?? null,
    });
    redirect.searchParams.set("code", code);
    return c.redirect(redirect.toString(), 302);
  });
