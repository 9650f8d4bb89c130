import type { OAuth2Auth, ProviderCallContext, TokenSet } from "../types";

// The same endpoints arctic's `Google` class uses; spelled out so the sandbox and tests can stand in for them.
export const GOOGLE_AUTHORIZATION_ENDPOINT = "https://accounts.google.com/o/oauth2/v2/auth";
export const GOOGLE_TOKEN_ENDPOINT = "https://oauth2.googleapis.com/token";
const GOOGLE_REVOCATION_ENDPOINT = "https://oauth2.googleapis.com/revoke";

async function revokeGoogleToken({ fetch }: ProviderCallContext, tokens: TokenSet): Promise<void> {
  // Revoking the refresh token ends the whole grant; Google answers 400 for a token it already forgot.
  const body = new URLSearchParams({ token: tokens.refreshToken ?? tokens.accessToken });
  const response = await fetch(GOOGLE_REVOCATION_ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
  if (!response.ok && response.status !== 400) throw new Error(`Google revoke answered ${response.status}`);
}

/** Google OAuth for one of our Google clients (Health API, Gmail): offline access, consent shown every time. */
export function googleOAuth(credentials: OAuth2Auth["credentials"], identify: OAuth2Auth["identify"]): OAuth2Auth {
  return {
    kind: "oauth2",
    endpoints: () => ({ authorization: GOOGLE_AUTHORIZATION_ENDPOINT, token: GOOGLE_TOKEN_ENDPOINT }),
    credentials,
    clientAuthentication: "basic",
    pkce: true,
    // Google returns a refresh token only for `access_type=offline`, and again only when consent is shown.
    authorizationParams: { access_type: "offline", prompt: "consent", include_granted_scopes: "false" },
    requiresRefreshToken: true,
    revoke: revokeGoogleToken,
    ...(identify ? { identify } : {}),
  };
}
