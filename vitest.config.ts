import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";
import { LIVE_PROVIDER_BINDINGS, TEST_BINDINGS } from "./test/setup/bindings.ts";
import { outbound } from "./test/setup/outbound.ts";
import type { Peers } from "./test/setup/peers.ts";

// Tests run inside workerd with real local D1, Durable Objects and Queues, configured from wrangler.toml.
// Secrets come from test/setup/bindings.ts (never from .dev.vars). Every outbound request the Worker makes goes
// through test/setup/outbound.ts, which reaches only the loopback peers and fails loudly on anything else.
//
// Two projects: `sandbox` (no provider credentials: every source runs on its development sandbox) and `live`
// (test credentials for a few providers, whose real endpoints are routed to the OAuth peer on loopback).
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const developmentMigrations = await readD1Migrations("./migrations/development");
  // The vars a production deploy gets, read the way wrangler reads them, so tests can prove what production does.
  const productionVars = unstable_readConfig({ config: "./wrangler.toml", env: "production" }).vars as Record<string, string>;
  const project = (name: string, include: string[], bindings: Record<string, string>) => ({
    extends: true as const,
    plugins: [
      cloudflareTest(({ inject }) => {
        const peers = inject("peers") as Peers;
        return {
          wrangler: { configPath: "./wrangler.toml" },
          remoteBindings: false,
          miniflare: {
            bindings: {
              ...TEST_BINDINGS,
              ...bindings,
              TEST_MIGRATIONS: migrations,
              TEST_DEVELOPMENT_MIGRATIONS: developmentMigrations,
              TEST_PEERS: peers,
              TEST_PRODUCTION_VARS: productionVars,
            },
            outboundService: outbound(peers),
          },
        };
      }),
    ],
    test: { name, include, exclude: name === "live" ? [] : ["test/live/**", "test/e2e/**"] },
  });
  return {
    test: {
      globalSetup: ["./test/setup/global-setup.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts", "./test/setup/development-kit.ts"],
      projects: [project("sandbox", ["test/**/*.test.ts", "src/**/*.test.ts"], {}), project("live", ["test/live/**/*.live.test.ts"], LIVE_PROVIDER_BINDINGS)],
    },
  };
});
