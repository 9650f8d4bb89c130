// `npm audit --omit=dev` for CI (.ci/run, `npm run audit`): fails on any known advisory in what production ships.
// When the advisory service cannot be reached (offline, a registry mirror without the audit endpoint) it says so
// plainly and does not fail the build: an audit that did not run is reported as not run, never as a pass.
import { spawnSync } from "node:child_process";
import { readAuditOutput } from "./audit-report.ts";

const run = spawnSync("npm", ["audit", "--omit=dev", "--json"], { encoding: "utf8", timeout: 120_000 });
const result = readAuditOutput(run.stdout ?? "");
if (result.kind === "unreachable") {
  console.warn(`npm audit: NOT RUN. The advisory service could not be reached (${result.reason}); rerun when it is.`);
  process.exit(0);
}
const counts = Object.entries(result.bySeverity)
  .map(([severity, count]) => `${severity} ${count}`)
  .join(", ");
if (result.total > 0) {
  console.error(`npm audit: ${result.total} known vulnerabilities in production dependencies (${counts}). Run \`npm audit --omit=dev\` for details.`);
  process.exit(1);
}
console.log("npm audit: no known vulnerabilities in production dependencies.");
