import { fetch, type Request as MiniflareRequest, Request } from "miniflare";
import { FHIR_PEER_PUBLIC_BASE } from "./fhir-base.ts";
import type { Peers } from "./peers.ts";

// Real provider URLs the `live` tests exercise, and where on the OAuth peer each one lands.
const PEER_ROUTES: [prefix: string, peerPath: string][] = [
  ["https://cloud.ouraring.com/oauth/authorize", "/authorize"],
  ["https://api.ouraring.com/oauth/token", "/token"],
  ["https://api.ouraring.com/oauth/revoke", "/__revoke/oura"],
  ["https://api.ouraring.com/v2/usercollection/personal_info", "/__identity/oura"],
  ["https://api.prod.whoop.com/oauth/oauth2/auth", "/authorize"],
  ["https://api.prod.whoop.com/oauth/oauth2/token", "/token"],
  ["https://api.prod.whoop.com/developer/v2/user/profile/basic", "/__identity/whoop"],
  ["https://api.prod.whoop.com/developer/v2/user/access", "/__revoke/whoop"],
  ["https://account.withings.com/oauth2_user/authorize2", "/authorize"],
  ["https://wbsapi.withings.net/v2/oauth2", "/withings/token"],
  ["https://accounts.google.com/o/oauth2/v2/auth", "/authorize"],
  ["https://oauth2.googleapis.com/token", "/token"],
  ["https://oauth2.googleapis.com/revoke", "/__revoke/google"],
  ["https://health.googleapis.com/v4/users/me/identity", "/__identity/fitbit"],
  // Google's OIDC keys, for Gmail's Pub/Sub push tokens: the keys the push tests generated.
  ["https://www.googleapis.com/oauth2/v3/certs", "/__google/certs"],
  // SMART discovery of the test health system: the peer's OpenID configuration has the same endpoint fields.
  ["https://fhir.health-system.test/api/FHIR/R4/.well-known/smart-configuration", "/.well-known/openid-configuration"],
];

/**
 * Every fetch the Worker makes in a test lands here (miniflare's outboundService). Loopback peers are reachable,
 * the provider URLs above are routed to the OAuth peer, and anything else fails the test loudly instead of
 * reaching the network.
 */
export function outbound(peers: Peers) {
  const peerOrigin = new URL(peers.oauth).origin;
  const otherPeers = new Set([new URL(peers.fhirOAuth).origin, new URL(peers.fhir).origin]);
  // The request arrives as miniflare's (undici) Request, so it is forwarded with miniflare's fetch.
  return async (request: MiniflareRequest) => {
    const url = new URL(request.url);
    // Redirects go back to the Worker under test, which follows (or not) as its own code decides.
    if (url.origin === peerOrigin || otherPeers.has(url.origin)) return fetch(request, { redirect: "manual" });
    // The loopback health system: its public FHIR base lands on the FHIR peer's /R4.
    if (`${url.origin}${url.pathname}`.startsWith(`${FHIR_PEER_PUBLIC_BASE}/`)) {
      return fetch(new Request(`${peers.fhir}/R4${url.pathname.slice(new URL(FHIR_PEER_PUBLIC_BASE).pathname.length)}${url.search}`, request), {
        redirect: "manual",
      });
    }
    const href = `${url.origin}${url.pathname}`;
    const route = PEER_ROUTES.find(([prefix]) => href === prefix);
    if (route) return fetch(new Request(`${peerOrigin}${route[1]}${url.search}`, request), { redirect: "manual" });
    throw new Error(`Unexpected outbound request in a test: ${request.method} ${url.origin}${url.pathname}`);
  };
}
