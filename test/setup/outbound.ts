import type { Peers } from "./global-setup";

/**
 * Every fetch the Worker makes in a test lands here (miniflare's outboundService). Loopback peers started by
 * the global setup are reachable; anything else fails the test loudly instead of reaching the network.
 */
export function outbound(peers: Peers) {
  const allowed = new Set([new URL(peers.oauth).origin]);
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (allowed.has(url.origin)) return fetch(request);
    throw new Error(`Unexpected outbound request in a test: ${request.method} ${url.origin}${url.pathname}`);
  };
}
