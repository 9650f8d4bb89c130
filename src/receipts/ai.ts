import { z } from "zod";
import type { Message } from "./mime.ts";
import { ParsedReceipt } from "./types.ts";

/**
 * Layer 2: Workers AI with JSON mode (`response_format: { type: "json_schema" }`,
 * https://developers.cloudflare.com/workers-ai/json-mode), on the message's cleaned text. The model is named in
 * config (RECEIPTS_AI_MODEL); the prompt and schema carry a version stored with each receipt, so a change of either
 * can be re-measured (docs/integrations/gmail-receipts.md). The answer is validated with zod: an invalid answer is
 * asked for once more, then the message goes to review; an invalid answer never leaves this module.
 */

export const DEFAULT_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const PROMPT_VERSION = "receipts-prompt-v1";
const SCHEMA_VERSION = "receipts-schema-v1";

/** A model's text budget: receipts are short; the tail of a long message is footers and legal text. */
const MAX_PROMPT_CHARS = 12_000;

/** The confidence given to an AI value that passed validation and the rules' vetoes (not calibrated per field). */
const AI_CONFIDENCE = 0.8;

/** The AI binding's `run`, narrowed to what this module uses, so tests can hand in recorded answers. */
export type AiRunner = (model: string, input: Record<string, unknown>) => Promise<unknown>;

/** Stored with every receipt the AI layer contributed to, so a change of model, prompt or schema can be re-measured. */
export const AI_VERSION = `${PROMPT_VERSION}/${SCHEMA_VERSION}`;

export type AiExtraction = ParsedReceipt & { confidence: number; version: string };
export type AiOutcome = { ok: true; extraction: AiExtraction } | { ok: false; reason: "unavailable" | "invalid"; detail: string };

export const SYSTEM_PROMPT = `You extract purchases from one email. Answer only with JSON matching the schema.
- is_receipt: true only for an order confirmation, receipt, invoice or refund confirmation with an amount charged or refunded. Shipping/delivery notices, abandoned-cart reminders, promotions, newsletters and renewal reminders are false.
- kind: "order", "refund" (money returned to the customer) or "none" when is_receipt is false.
- merchant: the store's name as a person would say it, not the payment processor.
- order_id: the order, receipt or invoice number as printed, without a leading "#".
- order_date: YYYY-MM-DD, the day the order was placed (or the refund issued when no order date is printed).
- currency: USD, EUR or GBP, else null.
- total: the amount actually charged (after discounts, tax and shipping); for a refund the amount refunded. A number, using "." as the decimal mark.
- items: each purchased line: name as printed without size/price, quantity, line_total (that line's amount, or null), size (e.g. "500 g", "60 capsules", or null), category: "food" (food and drink), "supplement" (vitamins, minerals, protein powders, probiotics and the like) or "other".
When is_receipt is false, set every other field to null and items to [].`;

/** JSON Schema of ParsedReceipt, written out (the model's schema is versioned with SCHEMA_VERSION). */
export const RESPONSE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["is_receipt", "kind", "merchant", "order_id", "order_date", "currency", "total", "items"],
  properties: {
    is_receipt: { type: "boolean" },
    kind: { type: "string", enum: ["order", "refund", "none"] },
    merchant: { type: ["string", "null"] },
    order_id: { type: ["string", "null"] },
    order_date: { type: ["string", "null"], pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    currency: { type: ["string", "null"], enum: ["USD", "EUR", "GBP", null] },
    total: { type: ["number", "null"] },
    items: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "quantity", "line_total", "size", "category"],
        properties: {
          name: { type: "string" },
          quantity: { type: "number" },
          line_total: { type: ["number", "null"] },
          size: { type: ["string", "null"] },
          category: { type: "string", enum: ["food", "supplement", "other"] },
        },
      },
    },
  },
} as const;

export function promptText(message: Message): string {
  const body = message.text.length > MAX_PROMPT_CHARS ? message.text.slice(0, MAX_PROMPT_CHARS) : message.text;
  return `From: ${message.fromName} <${message.fromAddress}>\nDate: ${message.date ?? "unknown"}\nSubject: ${message.subject}\n\n${body}`;
}

/** The model's answer is `{ response: object }` in JSON mode; some models put the JSON in a string. */
function answerOf(output: unknown): unknown {
  const response = output && typeof output === "object" && "response" in output ? (output as { response: unknown }).response : output;
  if (typeof response === "string") {
    try {
      return JSON.parse(response);
    } catch {
      return response;
    }
  }
  return response;
}

/** Beyond the schema: what makes an answer internally inconsistent. */
const Consistent = ParsedReceipt.superRefine((r, ctx) => {
  if (!r.is_receipt && (r.kind !== "none" || r.items.length)) ctx.addIssue({ code: "custom", message: "a non-receipt with a kind or items" });
  if (r.is_receipt && r.kind === "none") ctx.addIssue({ code: "custom", message: "a receipt of kind none" });
  if (r.total !== null && r.total < 0) ctx.addIssue({ code: "custom", message: "a negative total" });
});

export async function extractWithAi(run: AiRunner, message: Message, model = DEFAULT_AI_MODEL): Promise<AiOutcome> {
  const input = {
    messages: [
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: promptText(message) },
    ],
    response_format: { type: "json_schema", json_schema: RESPONSE_SCHEMA },
    temperature: 0,
    max_tokens: 2048,
  };
  let lastIssue = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    let output: unknown;
    try {
      output = await run(model, input);
    } catch (error) {
      // Quota (Workers AI error 4006), capacity or network: the deterministic parser takes over.
      return { ok: false, reason: "unavailable", detail: error instanceof Error ? error.message.slice(0, 120) : "AI call failed" };
    }
    const parsed = Consistent.safeParse(answerOf(output));
    if (parsed.success) return { ok: true, extraction: { ...parsed.data, confidence: AI_CONFIDENCE, version: AI_VERSION } };
    lastIssue = z.prettifyError(parsed.error).slice(0, 200);
  }
  return { ok: false, reason: "invalid", detail: `answer not the schema after a retry: ${lastIssue}` };
}
