import { googleOAuth } from "../google/oauth";

const IDENTITY_ENDPOINT = "https://health.googleapis.com/v4/users/me/identity";

// Fitbit data now comes through the Google Health API with Google OAuth; legacy Fitbit tokens do not carry over.
export const fitbitAuth = googleOAuth(
  (env) =>
    env.GOOGLE_HEALTH_CLIENT_ID && env.GOOGLE_HEALTH_CLIENT_SECRET
      ? { clientId: env.GOOGLE_HEALTH_CLIENT_ID, clientSecret: env.GOOGLE_HEALTH_CLIENT_SECRET }
      : null,
  async ({ fetch }, tokens) => {
    const response = await fetch(IDENTITY_ENDPOINT, { headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    if (!response.ok) return null;
    const body = (await response.json()) as { healthUserId?: unknown };
    return typeof body.healthUserId === "string" ? body.healthUserId : null;
  },
);
