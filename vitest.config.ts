import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/setup/bindings.ts";

// Tests run inside workerd with real local D1, Durable Objects and Queues, configured from wrangler.toml.
// Secrets come from TEST_BINDINGS (never from .dev.vars), and every outbound request the Worker makes goes
// through test/setup/outbound.ts, which fails loudly on anything a test did not plan for.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const { outbound } = await import("./test/setup/outbound.ts");
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        remoteBindings: false,
        miniflare: {
          bindings: { ...TEST_BINDINGS, TEST_MIGRATIONS: migrations, TEST_PEERS: inject("peers") },
          outboundService: outbound(inject("peers")),
        },
      })),
    ],
    test: {
      include: ["test/**/*.test.ts", "test/**/*.test.tsx", "src/**/*.test.ts", "src/**/*.test.tsx"],
      exclude: ["test/e2e/**", "node_modules/**"],
      globalSetup: ["./test/setup/global-setup.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts"],
    },
  };
});
