// Proves the production bundle holds no development code: builds both entries the way a deploy does
// (`wrangler deploy --dry-run`), then checks that every development module and every marker string is in the
// development bundle (so the markers are real) and none of them is in the production bundle. Run by `npm test`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Strings only development code contains: sandbox UI and tables, the dev sign-in and its session cookie. */
const MARKERS = [
  "sandbox-note",
  "Development sandbox",
  "Development sign-in",
  "wos_dev_session",
  "dev-session:",
  "sandbox_grants",
  "wellness-sandbox-",
  "DEV_DB",
  // The development phone and Junction Link (src/providers/junction/phone-page.tsx).
  "Junction Link (simulated)",
];

const filesUnder = (dir) =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? filesUnder(path) : [path];
  });

/** Every development module, by the path esbuild writes above each module it bundles. */
const developmentModules = [
  ...filesUnder("src/development"),
  ...filesUnder("src/sandbox"),
  ...readdirSync(join(root, "src/providers"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `src/providers/${entry.name}/sandbox.ts`)
    .filter((path) => existsSync(join(root, path))),
].filter((path) => /\.tsx?$/.test(path) && !/\.test\.tsx?$/.test(path));

/** Builds one of wrangler.toml's configurations: the top level (production) when `env` is null. */
function build(env) {
  const outdir = mkdtempSync(join(tmpdir(), `bundle-${env ?? "production"}-`));
  const args = ["deploy", "--dry-run", "--outdir", outdir, ...(env ? ["--env", env] : [])];
  try {
    execFileSync(process.execPath, [join(root, "node_modules", "wrangler", "bin", "wrangler.js"), ...args], {
      cwd: root,
      stdio: "pipe",
      env: { ...process.env, CI: "true" },
    });
  } catch (error) {
    console.error(`wrangler ${args.join(" ")} failed:\n${error.stderr}`);
    process.exit(1);
  }
  const code = readFileSync(join(outdir, "index.js"), "utf8");
  rmSync(outdir, { recursive: true, force: true });
  return code;
}

const bundled = (code, path) => code.includes(`\n// ${relative(".", path)}\n`);
const kib = (code) => `${(Buffer.byteLength(code) / 1024).toFixed(1)} KiB`;

// The top level is production: a bare `wrangler deploy` must be the bundle without development code.
const production = build(null);
const development = build("development");
const problems = [];
for (const marker of MARKERS) {
  if (!development.includes(marker)) problems.push(`marker "${marker}" is not in the development bundle: update MARKERS`);
  if (production.includes(marker)) problems.push(`"${marker}" is in the production bundle`);
}
for (const path of developmentModules) {
  if (!bundled(development, path)) problems.push(`${path} is not in the development bundle (is it still used?)`);
  if (bundled(production, path)) problems.push(`${path} is in the production bundle`);
}
if (!bundled(production, "src/app.ts")) problems.push("the production bundle has no src/app.ts: is this check reading the right file?");

if (problems.length > 0) {
  console.error(`Production bundle check failed:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(
  `Production bundle: no development code (${developmentModules.length} modules, ${MARKERS.length} markers checked). ` +
    `production ${kib(production)}, development ${kib(development)}.`,
);
