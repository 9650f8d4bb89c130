// Prepares a fresh checkout for `wrangler dev`, offline: local secrets in .dev.vars (generated once, git-ignored),
// D1 migrations applied to the local databases (DB, and the development-only DEV_DB), and the demo user seeded.
// Safe to run every time. Everything here is wrangler.toml's `[env.development]` (the top level is production).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const devVars = join(root, ".dev.vars");
export const DEMO_EMAIL = "demo@wellness-os.test";

if (!existsSync(devVars)) {
  const template = readFileSync(join(root, "envs", "development.vars"), "utf8");
  const filled = template
    .replaceAll("__GENERATE_KEY__", () => `dev1:${randomBytes(32).toString("base64")}`)
    .replaceAll("__GENERATE_WHSEC__", () => `whsec_${randomBytes(32).toString("base64")}`)
    .replaceAll("__GENERATE__", () => randomBytes(32).toString("base64url"));
  writeFileSync(devVars, filled, { mode: 0o600 });
  console.log("Wrote .dev.vars with fresh local secrets (git-ignored).");
}

const wrangler = (...args) =>
  execFileSync(join(root, "node_modules", ".bin", "wrangler"), args, { cwd: root, stdio: "inherit", env: { ...process.env, CI: "true" } });

wrangler("d1", "migrations", "apply", "DB", "--local", "--env", "development");
// The development-only database: the sandbox providers' tables, which production never has.
wrangler("d1", "migrations", "apply", "DEV_DB", "--local", "--env", "development");

// Same derivation as src/lib/ids.ts userIdFor(`dev:${email}`), so signing in as the demo user finds this row.
const demoId = `usr_${createHash("sha256").update(`dev:${DEMO_EMAIL}`).digest("hex").slice(0, 32)}`;
wrangler(
  "d1",
  "execute",
  "DB",
  "--local",
  "--env",
  "development",
  "--command",
  `INSERT OR IGNORE INTO users (id, email, display_name) VALUES ('${demoId}', '${DEMO_EMAIL}', 'Demo User');`,
);
console.log(`Demo user ready: sign in at http://localhost:8787/dev/sign-in as ${DEMO_EMAIL}`);
