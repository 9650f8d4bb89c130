import { defineConfig } from "vitest/config";

// Real-browser tests: Node drives Debian's Chromium (playwright-core) against `wrangler dev` started by the
// global setup with its own local state, so they never touch the developer's database.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    environment: "node",
    globalSetup: ["./test/e2e/dev-server.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
