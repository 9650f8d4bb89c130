import type { D1Migration } from "cloudflare:test";
import type { Peers } from "./setup/peers";

interface WranglerEnvironmentSummary {
  name: string;
  main: string;
  environment: string;
  workersDev: boolean | null;
  routes: unknown[];
  d1: string[];
  observability: { enabled?: boolean; redact_query_string?: boolean; logs?: { invocation_logs?: boolean } } | null;
}

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_DEVELOPMENT_MIGRATIONS: D1Migration[];
      TEST_PEERS: Peers;
      TEST_PRODUCTION_VARS: Record<string, string>;
      /** wrangler.toml as wrangler reads it (unstable_readConfig in vitest.config.ts), per configuration. */
      TEST_WRANGLER_ENVIRONMENTS: Record<"production" | "development", WranglerEnvironmentSummary>;
    }
  }
}
