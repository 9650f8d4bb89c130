/** Dates as receipts write them, in English, German, French, Spanish, Italian and Dutch month names, or numeric. */

const MONTHS: Record<string, number> = {};
const names: [number, string[]][] = [
  [1, ["january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "januari"]],
  [2, ["february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "februari"]],
  [3, ["march", "mar", "märz", "maerz", "mars", "marzo", "maart", "mrt"]],
  [4, ["april", "apr", "avril", "avr", "abril", "abr", "aprile"]],
  [5, ["may", "mai", "mayo", "maggio", "mag", "mei"]],
  [6, ["june", "jun", "juni", "juin", "junio", "giugno", "giu"]],
  [7, ["july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug"]],
  [8, ["august", "aug", "août", "aout", "agosto", "ago", "augustus"]],
  [9, ["september", "sep", "sept", "septembre", "septiembre", "settembre", "set"]],
  [10, ["october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott"]],
  [11, ["november", "nov", "novembre", "noviembre"]],
  [12, ["december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre"]],
];
for (const [n, list] of names) for (const name of list) MONTHS[name] = n;

const MONTH = String.raw`([A-Za-zÀ-ÿ]{3,10})\.?`;
const iso = /\b(20\d{2})-(\d{1,2})-(\d{1,2})(?!\d)/;
const dayMonthYear = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?${MONTH},?\s+(?:de\s+)?(20\d{2})\b`, "i");
const monthDayYear = new RegExp(String.raw`\b${MONTH}\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(20\d{2})\b`, "i");
const numeric = /\b(\d{1,2})([/.-])(\d{1,2})\2(20\d{2}|\d{2})\b/;

const pad = (n: number) => String(n).padStart(2, "0");

function valid(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/**
 * The first date in a piece of text, as YYYY-MM-DD. Numeric dates are ambiguous: `dayFirst` (from the receipt's
 * currency or language) decides `03/04/2026`; a first part over 12 decides by itself; dots always mean day first.
 */
export function parseDate(text: string, dayFirst: boolean): string | null {
  let m = iso.exec(text);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  m = dayMonthYear.exec(text);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    if (month) return valid(Number(m[3]), month, Number(m[1]));
  }
  m = monthDayYear.exec(text);
  if (m) {
    const month = MONTHS[m[1]!.toLowerCase()];
    if (month) return valid(Number(m[3]), month, Number(m[2]));
  }
  m = numeric.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const year = m[4]!.length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
    const dayFirstHere = m[2] === "." || a > 12 ? true : b > 12 ? false : dayFirst;
    return dayFirstHere ? valid(year, b, a) : valid(year, a, b);
  }
  return null;
}

/** An RFC 5322 Date header's calendar date where it was written (its own offset), not in UTC. */
export function headerDate(value: string | undefined): string | null {
  if (!value) return null;
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(value);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    if (month) return valid(Number(m[3]), month, Number(m[1]));
  }
  return parseDate(value, false);
}
