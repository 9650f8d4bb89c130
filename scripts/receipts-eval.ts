// npm run receipts:eval -- <dir>: parses every *.eml in <dir> with the extraction pipeline and writes
// <name>.parsed.json beside it (issue 15's shape). Where <name>.truth.json exists, prints detection, field, item and
// category scores, and with --misses each disagreement. Offline it runs layers 1 and 3 (markup and the
// deterministic parser); with CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN set it adds layer 2 through the Workers
// AI REST API (https://developers.cloudflare.com/workers-ai/get-started/rest-api/), the way its real accuracy is
// measured (docs/integrations/gmail-receipts.md).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AiRunner } from "../src/receipts/ai.ts";
import { type Pair, parseTruth, report, score } from "../src/receipts/eval.ts";
import { extractReceipt } from "../src/receipts/extract.ts";
import { type ParsedReceipt, toParsed } from "../src/receipts/types.ts";

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith("--"));
if (!dir) {
  console.error("usage: npm run receipts:eval -- <dir> [--misses]");
  process.exit(2);
}

function restRunner(): AiRunner | undefined {
  const account = process.env.CLOUDFLARE_ACCOUNT_ID;
  const token = process.env.CLOUDFLARE_API_TOKEN;
  if (!account || !token) return undefined;
  return async (model, input) => {
    const response = await fetch(`https://api.cloudflare.com/client/v4/accounts/${account}/ai/run/${model}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(input),
    });
    if (!response.ok) throw new Error(`Workers AI answered ${response.status}`);
    const body = (await response.json()) as { result?: unknown };
    return body.result;
  };
}

const NONE: ParsedReceipt = { is_receipt: false, kind: "none", merchant: null, order_id: null, order_date: null, currency: null, total: null, items: [] };

const ai = restRunner();
const pairs: Pair[] = [];
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".eml"))
  .sort();
let skipped = 0;
for (const file of files) {
  const base = file.slice(0, -".eml".length);
  const result = await extractReceipt(new Uint8Array(readFileSync(join(dir, file))), { ai });
  let parsed = NONE;
  if (result.status === "parsed") parsed = toParsed(result.extraction);
  else {
    skipped++;
    console.error(`${file}: skipped (${result.reason}: ${result.detail})`);
  }
  writeFileSync(join(dir, `${base}.parsed.json`), `${JSON.stringify(parsed, null, 2)}\n`);
  const truthFile = join(dir, `${base}.truth.json`);
  if (existsSync(truthFile)) pairs.push({ name: base, parsed, truth: parseTruth(readFileSync(truthFile, "utf8")) });
}
console.log(`${files.length} messages parsed (${skipped} skipped), layers: markup + ${ai ? "Workers AI + " : ""}rules`);
if (pairs.length) {
  const scores = score(pairs);
  console.log(report(scores));
  if (args.includes("--misses")) for (const miss of scores.misses) console.log(`  miss  ${miss}`);
}
