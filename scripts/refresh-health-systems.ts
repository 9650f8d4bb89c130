// npm run refresh:health-systems: fetches Epic's published list of patient-access FHIR R4 endpoints and rewrites
// src/providers/epic/r4-endpoints.json (the directory a person picks their health system from). Run it when Epic
// updates the list (it grows as organizations go live), review the diff, commit. Needs the network; the Worker
// never fetches the list itself. `--url` reads another published bundle in the same shapes (e.g. a User-access
// Brands bundle); `--file` reads a saved copy.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { directoryFromBundle } from "./endpoint-directory.ts";

const EPIC_R4_ENDPOINTS = "https://open.epic.com/Endpoints/R4";
const OUT = join(import.meta.dirname, "..", "src", "providers", "epic", "r4-endpoints.json");

const { values } = parseArgs({ options: { url: { type: "string" }, file: { type: "string" } } });
const source = values.file ?? values.url ?? EPIC_R4_ENDPOINTS;
let bundle: unknown;
if (values.file) {
  bundle = JSON.parse(readFileSync(values.file, "utf8"));
} else {
  const response = await fetch(source, { headers: { Accept: "application/fhir+json, application/json" }, signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`${source} answered ${response.status}`);
  bundle = await response.json();
}
const endpoints = directoryFromBundle(bundle);
if (endpoints.length === 0) throw new Error(`${source} listed no usable endpoints; the file was left as it was`);
const document = {
  $comment:
    "Epic's published patient-access FHIR R4 endpoints (one per organization). Refresh: npm run refresh:health-systems. Each fhirBase is normalized (lower-case host, no trailing slash).",
  source: values.file ? EPIC_R4_ENDPOINTS : source,
  retrieved: new Date().toISOString().slice(0, 10),
  endpoints,
};
writeFileSync(OUT, `${JSON.stringify(document, null, 1)}\n`);
console.log(`${endpoints.length} health systems written to ${OUT}`);
