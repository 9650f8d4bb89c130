import { describe, expect, it } from "vitest";
import { type AiRunner, DEFAULT_AI_MODEL, extractWithAi, RESPONSE_SCHEMA } from "../../src/receipts/ai";
import { extractReceipt } from "../../src/receipts/extract";
import { parseMime } from "../../src/receipts/mime";
import { INCONSISTENT, INVALID, VALID, VALID_AS_STRING } from "./fixtures/ai-answers";

const raw = import.meta.glob<string>("./corpus/01-green-basket-order.eml", { query: "?raw", import: "default", eager: true });
const email = Object.values(raw)[0]!;

/** Answers in order, recording what was asked. */
function recorded(...answers: unknown[]) {
  const calls: { model: string; input: Record<string, unknown> }[] = [];
  const run: AiRunner = async (model, input) => {
    calls.push({ model, input });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return next;
  };
  return { run, calls };
}

async function message() {
  const parsed = await parseMime(email);
  if (!parsed.ok) throw new Error("corpus message did not parse");
  return parsed.message;
}

describe("the Workers AI layer", () => {
  it("asks the configured model in JSON mode with the versioned schema, on the cleaned text", async () => {
    const ai = recorded(VALID);
    const outcome = await extractWithAi(ai.run, await message());
    expect(outcome.ok).toBe(true);
    expect(ai.calls).toHaveLength(1);
    expect(ai.calls[0]!.model).toBe(DEFAULT_AI_MODEL);
    expect(ai.calls[0]!.input.response_format).toEqual({ type: "json_schema", json_schema: RESPONSE_SCHEMA });
    const prompt = JSON.stringify(ai.calls[0]!.input.messages);
    expect(prompt).toContain("Total charged");
    expect(prompt).not.toContain("<td");
  });

  it("accepts the JSON as a string too", async () => {
    const outcome = await extractWithAi(recorded(VALID_AS_STRING).run, await message());
    expect(outcome.ok && outcome.extraction.total).toBe(28.07);
  });

  it("retries once when the answer is not the schema, and takes the valid retry", async () => {
    const ai = recorded(INVALID, VALID);
    const outcome = await extractWithAi(ai.run, await message());
    expect(ai.calls).toHaveLength(2);
    expect(outcome.ok).toBe(true);
  });

  it("gives up after the retry: the answer goes to review and never out of the layer", async () => {
    const ai = recorded(INVALID, INCONSISTENT);
    const outcome = await extractWithAi(ai.run, await message());
    expect(ai.calls).toHaveLength(2);
    expect(outcome).toMatchObject({ ok: false, reason: "invalid" });
    const result = await extractReceipt(email, { ai: recorded(INVALID, INVALID).run });
    if (result.status !== "parsed") throw new Error("expected a parse");
    expect(result.review.some((r) => r.startsWith("ai:"))).toBe(true);
    // What is kept comes from the other layers, never the invalid answer ("produce" is not a category).
    expect(result.extraction.items.every((i) => i.layer === "rules" && i.category !== ("produce" as string))).toBe(true);
  });

  it("falls back to the deterministic parser when the AI errors (quota, capacity)", async () => {
    const result = await extractReceipt(email, { ai: recorded(new Error("4006: you have used up your daily free allocation")).run });
    if (result.status !== "parsed") throw new Error("expected a parse");
    expect(result.review).toEqual([]);
    expect(result.extraction.total).toEqual({ value: 28.07, layer: "rules", confidence: 0.85 });
  });

  it("labels each field and item with the AI layer when its answer is used", async () => {
    const result = await extractReceipt(email, { ai: recorded(VALID).run });
    if (result.status !== "parsed") throw new Error("expected a parse");
    expect(result.extraction.merchant.layer).toBe("ai");
    expect(result.extraction.items.map((i) => [i.name, i.layer])).toEqual([
      ["Organic Bananas", "ai"],
      ["Oat Milk, Original", "ai"],
    ]);
  });
});
