import type { NormalizedRecord } from "../../src/domain/records";
import { normalizeGmail } from "../../src/providers/gmail/normalize";
import { extractReceipt } from "../../src/receipts/extract";
import { seedStoredRecords } from "../records/inspect";

const corpus = import.meta.glob<string>("./corpus/*.eml", { query: "?raw", import: "default", eager: true });

/** Parses corpus messages the way the Gmail pull does and stores what it keeps in the person's record store. */
export async function seedReceipts(userId: string, names: string[], idPrefix = "msg"): Promise<string[]> {
  const records: NormalizedRecord[] = [];
  const ids: string[] = [];
  for (const name of names) {
    const raw = corpus[`./corpus/${name}.eml`];
    if (!raw) throw new Error(`no corpus message ${name}`);
    const result = await extractReceipt(raw);
    if (result.status !== "parsed") throw new Error(`${name} did not parse`);
    const id = `${idPrefix}-${name}`;
    ids.push(id);
    const page = { id, sha256: "a".repeat(64), outcome: { status: "parsed" as const, extraction: result.extraction, review: result.review, aiVersion: null } };
    records.push(...normalizeGmail("message", page).records);
  }
  await seedStoredRecords(userId, "gmail", records);
  return ids;
}
