import type { TestProject } from "vitest/node";

// A type alias (not an interface) so it can travel as a JSON binding into the Worker.
export type Peers = {
  /** Origin of the OAuth 2.0 server (oauth2-mock-server) started on loopback for this run. */
  oauth: string;
};

declare module "vitest" {
  export interface ProvidedContext {
    peers: Peers;
  }
}

// Runs in Node before the workerd tests: starts the real peers the Worker under test talks to on loopback.
export default async function setup(project: TestProject) {
  const { startOAuthPeer } = await import("./oauth-peer");
  const oauth = await startOAuthPeer();
  project.provide("peers", { oauth: oauth.origin });
  return async () => {
    await oauth.stop();
  };
}
