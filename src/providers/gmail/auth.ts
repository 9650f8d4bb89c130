import { googleOAuth } from "../google/oauth";

const PROFILE_ENDPOINT = "https://gmail.googleapis.com/gmail/v1/users/me/profile";

export const gmailAuth = googleOAuth(
  (env) => (env.GMAIL_CLIENT_ID && env.GMAIL_CLIENT_SECRET ? { clientId: env.GMAIL_CLIENT_ID, clientSecret: env.GMAIL_CLIENT_SECRET } : null),
  // The mailbox address routes Gmail's Pub/Sub notifications (which name only the address) to this user.
  async ({ fetch }, tokens) => {
    const response = await fetch(PROFILE_ENDPOINT, { headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    if (!response.ok) return null;
    const body = (await response.json()) as { emailAddress?: unknown };
    return typeof body.emailAddress === "string" ? body.emailAddress.toLowerCase() : null;
  },
);
