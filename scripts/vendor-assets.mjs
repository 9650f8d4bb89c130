// Copies the browser libraries we serve from our own origin (never a CDN) out of node_modules into public/vendor.
// Runs on `npm install` (postinstall) and before dev, tests and benchmarks, so the copy always matches the lockfile.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const htmxDist = join(dirname(require.resolve("htmx.org/package.json")), "dist");
const vendor = join(root, "public", "vendor");
mkdirSync(vendor, { recursive: true });
copyFileSync(join(htmxDist, "htmx.min.js"), join(vendor, "htmx.min.js"));
copyFileSync(join(htmxDist, "ext", "hx-ws.min.js"), join(vendor, "hx-ws.min.js"));
