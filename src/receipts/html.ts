/**
 * HTML email to lines of cells. Table rows and block elements end a line; table cells end a cell (a tab). Hidden
 * preheaders, styles and scripts are dropped. The deterministic parser and the AI prompt both read this text.
 */

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  euro: "€",
  pound: "£",
  dollar: "$",
  times: "×",
  middot: "·",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  copy: "©",
  reg: "®",
  trade: "™",
  bull: "•",
  rsquo: "’",
  lsquo: "‘",
  rdquo: "”",
  ldquo: "“",
  zwnj: "",
  zwj: "",
  shy: "",
  eacute: "é",
  egrave: "è",
  agrave: "à",
  ccedil: "ç",
  uuml: "ü",
  ouml: "ö",
  auml: "ä",
  szlig: "ß",
  ntilde: "ñ",
  oacute: "ó",
  aacute: "á",
  iacute: "í",
  uacute: "ú",
  ecirc: "ê",
  ocirc: "ô",
  Eacute: "É",
  Uuml: "Ü",
  Ouml: "Ö",
  Auml: "Ä",
  minus: "−",
  thinsp: " ",
  ensp: " ",
  emsp: " ",
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name] ?? NAMED[name.toLowerCase()] ?? whole;
  });
}

const BLOCK = new Set([
  "p",
  "div",
  "br",
  "tr",
  "table",
  "tbody",
  "thead",
  "tfoot",
  "li",
  "ul",
  "ol",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "section",
  "article",
  "header",
  "footer",
  "hr",
  "blockquote",
  "center",
  "dl",
  "dt",
  "dd",
  "pre",
  "address",
  "main",
]);
const CELL = new Set(["td", "th"]);

/** Inline elements a sender hides (preheaders) are not part of what the person reads. */
const HIDDEN_ELEMENT =
  /<(span|div|p|td|table)\b[^>]*(?:display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0(?:px)?\s*[;"']|font-size\s*:\s*0(?:px)?\s*[;"'])[^>]*>[\s\S]*?<\/\1\s*>/gi;

export function htmlToText(html: string): string {
  let s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(head|style|script|title|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "");
  // Drop hidden elements with their content (balanced for the common single-level preheader span/div).
  s = s.replace(HIDDEN_ELEMENT, "");
  // Preformatted receipts keep their lines and columns: line breaks stay breaks, runs of spaces become cell breaks.
  s = s.replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_, body: string) => `<div>${body.replace(/\r?\n/g, "<br>").replace(/[ \t]{2,}/g, "</td>")}</div>`);
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g)) {
    out.push(s.slice(last, m.index).replace(/\s+/g, " "));
    last = m.index + m[0].length;
    const tag = m[1]!.toLowerCase();
    const closing = m[0][1] === "/";
    if (CELL.has(tag)) {
      if (closing) out.push("\t");
    } else if (BLOCK.has(tag)) out.push("\n");
    else if (tag === "img" && !closing) {
      const alt = /\balt\s*=\s*"([^"]*)"/i.exec(m[0]);
      if (alt?.[1]?.trim()) out.push(` ${alt[1]} `);
    }
  }
  out.push(s.slice(last).replace(/\s+/g, " "));
  return tidy(decodeEntities(out.join("")));
}

/** Trims cells, drops empty cells and lines, keeps one line per row. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) =>
      line
        // Plain-text receipts align columns with runs of spaces: those are cell breaks too.
        .replace(/[ \u00a0]{2,}/g, "\t")
        .split("\t")
        .map((cell) => cell.replace(/(?:[ \u00a0\u200b\ufeff]|\u034f|\u200c|\u200d)+/g, " ").trim())
        .filter((cell) => cell !== "")
        .join("\t"),
    )
    .filter((line) => line !== "")
    .join("\n");
}
