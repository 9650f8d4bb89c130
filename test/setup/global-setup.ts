import type { TestProject } from "vitest/node";
import { startOAuthPeer } from "./oauth-peer.ts";
import type { Peers } from "./peers.ts";

declare module "vitest" {
  export interface ProvidedContext {
    peers: Peers;
  }
}

// Runs in Node before the workerd tests: starts the real peers the Worker under test talks to on loopback.
export default async function setup(project: TestProject) {
  const oauth = await startOAuthPeer();
  project.provide("peers", { oauth: oauth.origin });
  return () => oauth.stop();
}
