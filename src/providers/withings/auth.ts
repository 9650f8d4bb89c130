import type { OAuth2Auth } from "../types";
import { AUTHORIZATION_ENDPOINT, TOKEN_ENDPOINT, unwrapTokenResponse } from "./api";
import { revokeWithingsSubscriptions } from "./subscriptions";

export const withingsAuth: OAuth2Auth = {
  kind: "oauth2",
  endpoints: () => ({ authorization: AUTHORIZATION_ENDPOINT, token: TOKEN_ENDPOINT }),
  credentials: (env) =>
    env.WITHINGS_CLIENT_ID && env.WITHINGS_CLIENT_SECRET ? { clientId: env.WITHINGS_CLIENT_ID, clientSecret: env.WITHINGS_CLIENT_SECRET } : null,
  // Withings takes client_id and client_secret in the form body (its "Get an access token" request), not Basic.
  clientAuthentication: "body",
  // Withings documents no PKCE.
  pkce: false,
  // Withings deviates from RFC 6749 §3.3: scopes are joined with commas.
  scopeDelimiter: ",",
  // Withings' token endpoint serves several actions; a token request must say `action=requesttoken`.
  tokenParams: { action: "requesttoken" },
  unwrapTokenResponse,
  // The token answer names the Withings user, which is how its notifications say whose data changed.
  tokenContextFields: ["userid"],
  // Withings rotates refresh tokens: each refresh answers a new one and the previous stops working.
  requiresRefreshToken: true,
  // Withings' OAuth revoke needs a signed, nonce'd request of the partner; what matters on disconnect is that it
  // stops notifying us about this person, so their notification subscriptions are removed with their token.
  revoke: (ctx, tokens) => revokeWithingsSubscriptions(ctx, tokens.accessToken),
  identify: async (_ctx, tokens) => tokens.context.userid ?? null,
};
