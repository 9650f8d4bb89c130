import { expect, it } from "vitest";
import { safeNext } from "../../src/security/safe-next";

// Issue 12, item 4: `next=/\evil.example/` (and with a tab) passed the old check, and a browser went to evil.example.
const ORIGIN = "http://localhost:8787";

it.each([
  "/\\evil.example/",
  "/\t/evil.example/",
  "/\\\tevil.example",
  "/\r\n/evil.example",
  "//evil.example",
  "///evil.example",
  "/.//evil.example",
  "/./\\evil.example",
  "https://evil.example/",
  "http:/evil.example",
  "javascript:alert(1)",
  "\t//evil.example",
  " /settings",
  "/settings\r\nSet-Cookie: x=1",
  "",
])("refuses %j and sends the person to settings", (next) => {
  expect(safeNext(next, ORIGIN)).toBe("/settings");
});

it.each([
  ["/settings", "/settings"],
  ["/settings?connected=oura#card-oura", "/settings?connected=oura#card-oura"],
  ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
  ["/%5Cevil.example", "/%5Cevil.example"],
  ["/live/dexcom", "/live/dexcom"],
])("keeps the same-origin path %j", (next, expected) => {
  const result = safeNext(next, ORIGIN);
  expect(result).toBe(expected);
  // Whatever it is, a browser resolving it as a Location lands on this origin.
  expect(new URL(result, ORIGIN).origin).toBe(ORIGIN);
});
