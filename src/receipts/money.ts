/** Money and quantities as senders write them: `$1,234.56`, `1.234,56 €`, `£3.50`, `12,99 EUR`, `-$5.00`, `($5.00)`. */

export type Currency = "USD" | "EUR" | "GBP";

export type Money = { amount: number; currency: Currency | null; index: number; text: string };

const SYMBOL = String.raw`(?:US\$|USD|EUR|GBP|\$|€|£)`;
// A number with optional thousands groups (`,` `.` space, thin or no-break space, apostrophe) and decimals.
const NUMBER = String.raw`\d{1,3}(?:[,.\u00a0\u202f\u2009' ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const SIGN = String.raw`[-\u2212]?`;
const MONEY = new RegExp(
  String.raw`(\()?(${SIGN})(${SYMBOL})[ \u00a0]?(${SIGN})[ \u00a0]?(${NUMBER})(?![\d%])\)?|(\()?(${SIGN})(${NUMBER})[ \u00a0]?(${SYMBOL})(?![A-Za-z\d]|\s?\d)\)?`,
  "g",
);

export function currencyOf(symbol: string): Currency | null {
  const s = symbol.toUpperCase();
  if (s === "$" || s === "US$" || s === "USD") return "USD";
  if (s === "€" || s === "EUR") return "EUR";
  if (s === "£" || s === "GBP") return "GBP";
  return null;
}

/**
 * One written number to a value. The last `,` or `.` followed by one or two digits is the decimal mark; any other
 * separator groups thousands. That reads `1,234.56`, `1.234,56`, `1 234,56` and `12,99` alike whatever the locale.
 */
export function parseNumber(text: string): number | null {
  const t = text.replace(/[\u00a0\u202f\u2009' ]/g, "");
  const m = /^(\d+(?:[.,]\d{3})*)(?:[.,](\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const whole = Number(m[1]!.replace(/[.,]/g, ""));
  const fraction = m[2] ? Number(m[2]) / 10 ** m[2].length : 0;
  const value = whole + fraction;
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : null;
}

/** Every amount with a currency mark in a line, in order. Bare numbers are not money here (quantities, sizes). */
export function findMoney(line: string): Money[] {
  const found: Money[] = [];
  for (const m of line.matchAll(MONEY)) {
    const symbol = m[3] ?? m[9]!;
    // `US$`, `USD` etc. glued to a word (e.g. "CA$", "AUD") are other currencies, not ours.
    const before = line[m.index - 1];
    if (m[3] && before && /[A-Za-z]/.test(before)) continue;
    const amount = parseNumber(m[5] ?? m[8]!);
    if (amount === null) continue;
    const negative = (Boolean(m[1] || m[6]) && m[0].endsWith(")")) || Boolean(m[2] || m[4] || m[7]);
    found.push({ amount: negative ? -amount : amount, currency: currencyOf(symbol), index: m.index, text: m[0] });
  }
  return found;
}

/** A bare decimal price (`3.98`, `12,99`) in a cell of its own, for tables whose header names the currency. */
export function bareAmount(cell: string): number | null {
  const m = /^\s*([-\u2212]?)\s*(\d{1,3}(?:[,.\u00a0 ]\d{3})*[.,]\d{2})\s*$/.exec(cell);
  if (!m) return null;
  const value = parseNumber(m[2]!);
  return value === null ? null : m[1] ? -value : value;
}

export const roundCents = (n: number) => Math.round(n * 100) / 100;
