import type { D1Migration } from "cloudflare:test";
import type { Peers } from "./setup/peers";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_DEVELOPMENT_MIGRATIONS: D1Migration[];
      TEST_PEERS: Peers;
      TEST_PRODUCTION_VARS: Record<string, string>;
    }
  }
}
