import type { D1Migration } from "cloudflare:test";
import type { Peers } from "./setup/global-setup";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_PEERS: Peers;
    }
  }
}
