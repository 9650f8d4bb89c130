import type { OAuth2Auth } from "../types";

const AUTHORIZATION_ENDPOINT = "https://api.prod.whoop.com/oauth/oauth2/auth";
const TOKEN_ENDPOINT = "https://api.prod.whoop.com/oauth/oauth2/token";
const REVOCATION_ENDPOINT = "https://api.prod.whoop.com/developer/v2/user/access";
const PROFILE_ENDPOINT = "https://api.prod.whoop.com/developer/v2/user/profile/basic";

export const whoopAuth: OAuth2Auth = {
  kind: "oauth2",
  endpoints: () => ({ authorization: AUTHORIZATION_ENDPOINT, token: TOKEN_ENDPOINT }),
  credentials: (env) => (env.WHOOP_CLIENT_ID && env.WHOOP_CLIENT_SECRET ? { clientId: env.WHOOP_CLIENT_ID, clientSecret: env.WHOOP_CLIENT_SECRET } : null),
  // WHOOP's tutorial sends the client credentials in the form body.
  clientAuthentication: "body",
  // Not in WHOOP's docs, but its /oauth/oauth2/* endpoints are Ory Hydra, which verifies a code_challenge whenever
  // one is sent, and public WHOOP clients send S256 there. PKCE stops a code issued to another client or account
  // from completing our callback.
  pkce: true,
  // WHOOP requires `state` to be exactly eight characters.
  stateLength: 8,
  // WHOOP issues a new refresh token only when `offline` is asked for again on refresh.
  refreshScopes: ["offline"],
  requiresRefreshToken: true,
  // WHOOP revokes with an authenticated DELETE instead of RFC 7009's POST of the token.
  revoke: async ({ fetch }, tokens) => {
    const response = await fetch(REVOCATION_ENDPOINT, { method: "DELETE", headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    if (!response.ok && response.status !== 401) throw new Error(`WHOOP revoke answered ${response.status}`);
  },
  identify: async ({ fetch }, tokens) => {
    const response = await fetch(PROFILE_ENDPOINT, { headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    if (!response.ok) return null;
    const body = (await response.json()) as { user_id?: unknown };
    return typeof body.user_id === "number" || typeof body.user_id === "string" ? String(body.user_id) : null;
  },
};
