import { expect, it } from "vitest";
import { jsonDepthExceeds, parseBoundedJson } from "./bounded-json";

it("counts nesting outside strings only, escaped quotes included", () => {
  expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 3)).toBe(false);
  expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 2)).toBe(true);
  expect(jsonDepthExceeds('{"text":"[[[[[[ \\" {{{{{{"}', 1)).toBe(false);
});

it("accepts exactly the limit and refuses one level more, with a 400 and no parse", () => {
  const at = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  expect(parseBoundedJson(at(64))).toMatchObject({ ok: true });
  expect(parseBoundedJson(at(65))).toEqual({ ok: false, status: 400, reason: "JSON nests deeper than 64 levels" });
});

it("refuses text that is not UTF-8 or not JSON with a 400", () => {
  expect(parseBoundedJson(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false, status: 400, reason: "body is not UTF-8" });
  expect(parseBoundedJson("{not json")).toMatchObject({ ok: false, status: 400, reason: "body is not JSON" });
});
