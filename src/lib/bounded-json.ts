/**
 * The one way a request body becomes JSON: size and nesting are bounded before JSON.parse sees it.
 *
 * JSON.parse itself copes with deep nesting, but everything after it that walks the value (String(), JSON.stringify,
 * structured clone into a queue message, recursive normalizers) overflows the stack on a body nested ~100k deep and
 * throws a RangeError: a 500, which a provider retries for days. No payload we accept nests anywhere near
 * MAX_JSON_DEPTH (Garmin's summaries and Google Health's notifications are 4-5 levels, Oura's and WHOOP's 2), so
 * the limit refuses only what is not a real delivery.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonRefusal = { ok: false; status: 400 | 413; reason: string };
export type JsonResult = { ok: true; value: unknown } | JsonRefusal;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting in a JSON text, without recursion: one pass counting brackets outside strings. Stops as soon
 * as the depth passes `limit`, so a hostile body costs one partial scan. Malformed text is JSON.parse's to reject.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) depth--;
  }
  return false;
}

/** Parses a body already read within its size limit: 400 for text that is not JSON or nests deeper than allowed. */
export function parseBoundedJson(body: Uint8Array | string, maxDepth = MAX_JSON_DEPTH): JsonResult {
  let text: string;
  try {
    text = typeof body === "string" ? body : new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return { ok: false, status: 400, reason: "body is not UTF-8" };
  }
  if (jsonDepthExceeds(text, maxDepth)) return { ok: false, status: 400, reason: `JSON nests deeper than ${maxDepth} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, reason: "body is not JSON" };
  }
}
