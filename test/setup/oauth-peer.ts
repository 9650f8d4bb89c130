import { OAuth2Server } from "oauth2-mock-server";

export interface OAuthPeer {
  origin: string;
  stop(): Promise<void>;
}

/** A real OAuth 2.0 authorization server (oauth2-mock-server, not ours) on a free loopback port. */
export async function startOAuthPeer(): Promise<OAuthPeer> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  const address = server.address();
  const origin = `http://127.0.0.1:${address.port}`;
  return { origin, stop: () => server.stop() };
}
