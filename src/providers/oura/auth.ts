import type { OAuth2Auth } from "../types";

const AUTHORIZATION_ENDPOINT = "https://cloud.ouraring.com/oauth/authorize";
const TOKEN_ENDPOINT = "https://api.ouraring.com/oauth/token";
const REVOCATION_ENDPOINT = "https://api.ouraring.com/oauth/revoke";
const PERSONAL_INFO_ENDPOINT = "https://api.ouraring.com/v2/usercollection/personal_info";

export const ouraAuth: OAuth2Auth = {
  kind: "oauth2",
  endpoints: () => ({ authorization: AUTHORIZATION_ENDPOINT, token: TOKEN_ENDPOINT }),
  credentials: (env) => (env.OURA_CLIENT_ID && env.OURA_CLIENT_SECRET ? { clientId: env.OURA_CLIENT_ID, clientSecret: env.OURA_CLIENT_SECRET } : null),
  // Oura's documentation sends client_id and client_secret in the form body, not in a Basic header.
  clientAuthentication: "body",
  // Oura does not document PKCE; sending a challenge it ignores would only give a false sense of protection.
  // Oura's docs never mention PKCE (docs/security.md): not sent, so an unknown parameter cannot break Connect. The
  // per-person state and the browser binding (src/oauth/browser-binding.ts) stand in for it.
  pkce: false,
  requiresRefreshToken: true,
  // Oura deviates from RFC 7009: the token goes in the query string as `access_token`.
  revoke: async ({ fetch }, tokens) => {
    const url = new URL(REVOCATION_ENDPOINT);
    url.searchParams.set("access_token", tokens.accessToken);
    const response = await fetch(url, { method: "POST" });
    if (!response.ok && response.status !== 400 && response.status !== 401) throw new Error(`Oura revoke answered ${response.status}`);
  },
  identify: async ({ fetch }, tokens) => {
    const response = await fetch(PERSONAL_INFO_ENDPOINT, { headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    if (!response.ok) return null;
    const body = (await response.json()) as { id?: unknown };
    return typeof body.id === "string" ? body.id : null;
  },
};
