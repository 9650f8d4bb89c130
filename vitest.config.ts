import { relative } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";
import { LIVE_PROVIDER_BINDINGS, TEST_BINDINGS } from "./test/setup/bindings.ts";
import { outbound } from "./test/setup/outbound.ts";
import type { Peers } from "./test/setup/peers.ts";

// Tests run inside workerd with real local D1, Durable Objects and Queues, configured from wrangler.toml's
// `[env.development]` (the development entry; the top level is production).
// Secrets come from test/setup/bindings.ts (never from .dev.vars). Every outbound request the Worker makes goes
// through test/setup/outbound.ts, which reaches only the loopback peers and fails loudly on anything else.
//
// Two projects: `sandbox` (no provider credentials: every source runs on its development sandbox) and `live`
// (test credentials for a few providers, whose real endpoints are routed to the OAuth peer on loopback).
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const developmentMigrations = await readD1Migrations("./migrations/development");
  // The vars a production deploy gets (wrangler.toml's top level), read the way wrangler reads them, so tests can
  // prove what production does.
  const productionVars = unstable_readConfig({ config: "./wrangler.toml" }).vars as Record<string, string>;
  // What each configuration would deploy, for the tests that hold the environments and trace redaction in place.
  const wranglerEnvironments: Record<string, unknown> = Object.fromEntries(
    (["production", "development"] as const).map((name) => {
      const config = unstable_readConfig({ config: "./wrangler.toml", env: name === "production" ? undefined : name });
      return [
        name,
        {
          name: config.name,
          main: relative(process.cwd(), config.main ?? ""),
          environment: (config.vars as Record<string, string>).ENVIRONMENT,
          workersDev: config.workers_dev ?? null,
          routes: config.routes ?? [],
          d1: config.d1_databases.map((database: { binding: string }) => database.binding),
          observability: config.observability ?? null,
        },
      ];
    }),
  );
  const project = (name: string, include: string[], bindings: Record<string, string>) => ({
    extends: true as const,
    plugins: [
      cloudflareTest(({ inject }) => {
        const peers = inject("peers") as Peers;
        return {
          wrangler: { configPath: "./wrangler.toml", environment: "development" },
          remoteBindings: false,
          miniflare: {
            bindings: {
              ...TEST_BINDINGS,
              ...bindings,
              TEST_MIGRATIONS: migrations,
              TEST_DEVELOPMENT_MIGRATIONS: developmentMigrations,
              TEST_PEERS: peers,
              TEST_PRODUCTION_VARS: productionVars,
              // A JSON round trip: wrangler's config objects have null prototypes, and bindings must be plain JSON.
              TEST_WRANGLER_ENVIRONMENTS: JSON.parse(JSON.stringify(wranglerEnvironments)),
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
      // Each test drives a real Worker, D1, Durable Objects and Queues in workerd; on a busy 2-core CI machine the
      // heaviest (a backfill through the queue) take several seconds, so 5 s failed runs that were only slow.
      testTimeout: 30_000,
      globalSetup: ["./test/setup/global-setup.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts", "./test/setup/development-kit.ts"],
      projects: [project("sandbox", ["test/**/*.test.ts", "src/**/*.test.ts"], {}), project("live", ["test/live/**/*.live.test.ts"], LIVE_PROVIDER_BINDINGS)],
    },
  };
});
