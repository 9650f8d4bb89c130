import type { OAuth2Auth } from "../types";

const HOSTS = {
  sandbox: "https://sandbox-api.dexcom.com",
  us: "https://api.dexcom.com",
  eu: "https://api.dexcom.eu",
  jp: "https://api.dexcom.jp",
} as const;
export type DexcomRegion = keyof typeof HOSTS;

export function dexcomHost(env: Pick<Env, "DEXCOM_REGION">): string {
  return HOSTS[(env.DEXCOM_REGION as DexcomRegion) in HOSTS ? (env.DEXCOM_REGION as DexcomRegion) : "us"];
}

/** Dexcom's API is not real time: about an hour behind in the US, up to three hours elsewhere. */
export function dexcomDelayMs(env: Pick<Env, "DEXCOM_REGION">): number {
  return env.DEXCOM_REGION === "eu" || env.DEXCOM_REGION === "jp" ? 3 * 3_600_000 : 3_600_000;
}

export const dexcomAuth: OAuth2Auth = {
  kind: "oauth2",
  // Dexcom keeps its OAuth paths on /v2 even for v3 data.
  endpoints: (env) => ({ authorization: `${dexcomHost(env)}/v2/oauth2/login`, token: `${dexcomHost(env)}/v2/oauth2/token` }),
  credentials: (env) => (env.DEXCOM_CLIENT_ID && env.DEXCOM_CLIENT_SECRET ? { clientId: env.DEXCOM_CLIENT_ID, clientSecret: env.DEXCOM_CLIENT_SECRET } : null),
  // Dexcom's token request carries client_id and client_secret in the form body.
  clientAuthentication: "body",
  // Dexcom's authentication docs list no code_challenge (docs/security.md): not sent; the per-person state and the
  // browser binding (src/oauth/browser-binding.ts) stand in for it.
  pkce: false,
  requiresRefreshToken: true,
  // Dexcom documents no revocation endpoint: disconnecting deletes our tokens only.
};
