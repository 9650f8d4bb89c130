import { defineConfig } from "drizzle-kit";

// The development-only database (binding DEV_DB): the sandbox providers' tables, which production never creates.
// `npm run db:generate` runs both configs; wrangler applies this folder to DEV_DB (scripts/dev-setup.mjs), and the
// tests apply it with `applyD1Migrations`.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/sandbox/schema.ts",
  out: "./migrations/development",
  migrations: { prefix: "index" },
});
