import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Setup files can run more than once; applyD1Migrations applies only what is not applied yet. The tests run the
// development configuration, so the development-only database (the sandbox's tables) is set up too.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
if (!env.DEV_DB) throw new Error("wrangler.toml's development configuration has no DEV_DB binding");
await applyD1Migrations(env.DEV_DB, env.TEST_DEVELOPMENT_MIGRATIONS);
