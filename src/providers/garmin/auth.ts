import type { OAuth2Auth } from "../types";

const AUTHORIZATION_ENDPOINT = "https://connect.garmin.com/oauth2Confirm";
const TOKEN_ENDPOINT = "https://diauth.garmin.com/di-oauth2-service/oauth/token";
const USER_ID_ENDPOINT = "https://apis.garmin.com/wellness-api/rest/user/id";
const REGISTRATION_ENDPOINT = "https://apis.garmin.com/wellness-api/rest/user/registration";

// Garmin's OAuth 2.0 PKCE method (OAuth 1.0a is being retired).
export const garminAuth: OAuth2Auth = {
  kind: "oauth2",
  endpoints: () => ({ authorization: AUTHORIZATION_ENDPOINT, token: TOKEN_ENDPOINT }),
  credentials: (env) => (env.GARMIN_CLIENT_ID && env.GARMIN_CLIENT_SECRET ? { clientId: env.GARMIN_CLIENT_ID, clientSecret: env.GARMIN_CLIENT_SECRET } : null),
  // Garmin's PKCE spec sends client_id and client_secret in the token request body.
  clientAuthentication: "body",
  pkce: true,
  requiresRefreshToken: true,
  // Garmin has no token revocation; deleting the user registration stops pushes and invalidates the grant.
  revoke: async ({ fetch }, tokens) => {
    const response = await fetch(REGISTRATION_ENDPOINT, { method: "DELETE", headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    if (!response.ok && response.status !== 401 && response.status !== 404) throw new Error(`Garmin deregistration answered ${response.status}`);
  },
  identify: async ({ fetch }, tokens) => {
    const response = await fetch(USER_ID_ENDPOINT, { headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    if (!response.ok) return null;
    const body = (await response.json()) as { userId?: unknown };
    return typeof body.userId === "string" ? body.userId : null;
  },
};
