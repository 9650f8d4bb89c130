import { parseDate } from "./dates.ts";
import type { Message } from "./mime.ts";
import { bareAmount, type Currency, currencyOf, findMoney, type Money, roundCents } from "./money.ts";
import { type Signals, signals } from "./signals.ts";

/**
 * Layer 3: the deterministic parser. It reads the message's text as lines of cells (HTML tables become tab-separated
 * rows, see html.ts) and needs no account, so it runs offline, on AI errors and over quota. Every value it finds
 * carries a confidence the merge (extract.ts) weighs against the other layers.
 */

export type RuleItem = { name: string; quantity: number; lineTotal: number | null; size: string | null; confidence: number };

export type RuleResult = {
  isReceipt: boolean;
  receiptConfidence: number;
  kind: "order" | "refund" | "none";
  merchant: string | null;
  merchantConfidence: number;
  orderId: string | null;
  orderDate: string | null;
  orderDateConfidence: number;
  currency: Currency | null;
  total: number | null;
  totalConfidence: number;
  items: RuleItem[];
  signals: Signals;
};

// --- labels -------------------------------------------------------------------------------------------------------

/** Lines that sum, tax, ship, discount or pay: never items. Matched at the start of a line's label, or anywhere in a short one. */
const SUMMARY =
  /^(?:(?:order|item|items|merchandise|product|basket|cart|grand|net|gross|final|estimated|invoice|refund|amount|payment)\s*)?(?:sub-?\s?total|total|tax|taxes|sales tax|vat|gst|hst|pst|mwst|ust|iva|tva|btw|shipping|delivery|postage|handling|p&p|discount|coupon|promo|promotion|savings|saved|you saved|you save|rewards?|points|loyalty|gift ?card|store credit|credit|tip|gratuity|service (?:fee|charge)|fees?|bag (?:fee|charge)|(?:bottle )?deposit|payment|paid|amount|charged|visa|mastercard|master card|amex|american express|discover|paypal|apple pay|google pay|klarna|card|ending|balance|change|cash|refund(?:ed)?|adjustment|zwischensumme|summe|gesamt(?:betrag|summe)?|endbetrag|rechnungsbetrag|erstattungsbetrag|betrag|versand(?:kosten)?|lieferung|liefergebühr|rabatt|gutschein|bezahlt|sous-total|montant|livraison|frais|remise|réduction|payé|subtotal|envío|envio|gastos|descuento|importe|pagado|subtotale|totale|spedizione|sconto|pagato|subtotaal|totaal|verzendkosten|korting|betaald)(?:\b|$)/i;
const SUMMARY_ANYWHERE =
  /\b(sub-?total|total|tax|vat|shipping|charge|fee|tip|delivery fee|refund|refunded|discount|coupon|savings|you saved|gift card|store credit|visa|mastercard|amex|paypal|card ending|ending in|balance|zwischensumme|gesamtbetrag|mwst|versand|rabatt|sous-total|tva|livraison|envío|iva|spedizione|promo code|points)\b/i;

/** Lines that are offers, links or legal text around an order, not a purchased line. */
const NOISE =
  /\b(orders? (?:over|above)|free shipping|spend|earn|off your next|unsubscribe|view (?:in|order)|manage|privacy|terms|copyright|©|all rights|customer service|contact us|help center|track|estimated|arriv|deliver(?:y|ed) (?:by|on)|ships? (?:by|on|in)|download|app store|google play|follow us|refer a friend|invite|visa|mastercard|amex|american express|discover|paypal|apple pay|google pay|card ending|ending in)\b/i;

/** Lines that are not an item's name: greetings, addresses, order numbers and dates, sentences. */
const NOT_A_NAME =
  /^(?:hi|hello|hey|dear|hallo|liebe[rs]?|bonjour|hola|ciao|hoi|beste)\b|\bthank|\bdank|\bmerci\b|\bgracias\b|\bgrazie\b|^\d+\s+[\w.]+(?:\s+[\w.]+)*\s+(?:st|street|rd|road|ave|avenue|blvd|lane|ln|way|dr|drive|strasse|straße|str\.|rue|calle|via)\b|:$/i;

const HEADER_WORD =
  /^(?:items?|products?|description|article|artikel|produit|produits|producto|artículo|articolo|prodotto|artikelen|qty|qté|quantity|quantité|quantita|quantità|cantidad|cant\.?|menge|anzahl|aantal|price|unit price|each|amount|total|line total|preis|einzelpreis|betrag|gesamt|summe|prix|prix unitaire|montant|precio|importe|prezzo|importo|prijs|bedrag|size|größe|taille|tamaño|sku|details?|your items|order summary)$/i;

const QTY_LABEL = /\b(?:qty|quantity|menge|anzahl|qté|quantité|cantidad|cant|quantità|qta|aantal|stk|stück|units?)\.?\s*[:=]?\s*(\d{1,4})\b/i;
const QTY_LEADING = /^\s*(\d{1,3})\s*[x×]\s*(?=[^\d\s])/i;
const QTY_TRAILING = /\s+[x×]\s?(\d{1,3})\b(?!\s*(?:\d|g\b|ml\b|oz\b))/i;
const QTY_TIMES_PRICE = /\(?\s*(\d{1,3})\s*[x×]\s*¤\s*\)?/i;
/** A weighed line: "0.92 kg @ $1.49/kg" bought 0.92 (kilograms), like a count of units. */
const QTY_WEIGHT = /\b(\d+[.,]\d+|\d{1,3})\s?(?:kg|lbs?)\s*(?:@|at|[x×])\s*(?=[$€£¤]|\d)/i;
const QTY_AT = /\b(\d{1,3})\s*(?:@|at)\s*(?=[$€£¤]|\d)/i;

const SIZE_UNIT = String.raw`(?:fl\.?\s?oz|oz|ounces?|lbs?|pounds?|kg|g|gr|grams?|mg|mcg|µg|ml|cl|dl|l|liters?|litres?|gal(?:lons?)?|qt|pt|ct|count|pk|pack|capsules?|caps|vcaps|veggie caps|tablets?|tabs|softgels?|gummies|lozenges|servings|pcs|pieces|stück|st|sachets?|packets?|zakjes|beutel|bags?|bars?|cans?|bottles?|rolls?|sticks?|iu)`;
const SIZE_IN_NAME = new RegExp(
  String.raw`(?<![\p{L}\d.,])(?:\d+\s?[x×]\s?)?\d+(?:[.,]\d+)?\s?-?${SIZE_UNIT}(?![\p{L}])(?:\s?(?:/|x|×)\s?\d+(?:[.,]\d+)?\s?${SIZE_UNIT}(?![\p{L}]))?|\(?\b(?:\d+-pack|pack of \d+|\d+er-pack|dozen|half gallon|gallon|pint|quart|bunch)\b\)?`,
  "giu",
);
const SIZE_LABEL = /\b(?:size|weight|net wt\.?|gewicht|größe|inhalt|taille|poids|tamaño|peso|formato|pack size|variant|option)\s*[:=]\s*([^\t|·•]+)/i;
/** A dose (`5000 IU`, `500 mg`) is part of a supplement's name, not its package size. */
const DOSE = /^\d+(?:[.,]\d+)?\s?(?:iu|mg|mcg|µg)$/i;

// --- small helpers ------------------------------------------------------------------------------------------------

const letters = (s: string) => (s.match(/\p{L}/gu) ?? []).length;
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function cellsOf(line: string): string[] {
  if (line.includes("\t")) return line.split("\t").map((c) => c.trim());
  return line
    .split(/\s{2,}|\s+\|\s+|\s+[·•]\s+/)
    .map((c) => c.trim())
    .filter(Boolean);
}

function stripMoney(text: string, money: Money[]): string {
  let out = text;
  // A placeholder keeps "3 @ $6.99" readable as a quantity after the amount is gone.
  for (const m of money) if (m.text) out = out.replace(m.text, " ¤ ");
  return out;
}

function labelOf(line: string): string {
  return stripMoney(line, findMoney(line))
    .replace(/[\t:*¤]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function isSummary(label: string): boolean {
  const l = label.replace(/^[\s\-–—•·*|()]+/, "");
  if (SUMMARY.test(l)) return true;
  return words(l) <= 4 && SUMMARY_ANYWHERE.test(l);
}

function cleanName(raw: string): string {
  return raw
    .replace(/\s+/g, " ")
    .replace(/^[\s\-–—•·*|:,;.>]+|[\s\-–—•·*|:,;(]+$/g, "")
    .replace(/\(\s*\)/g, "")
    .replace(/\s+([,)])/g, "$1")
    .trim();
}

/** Pulls a package size out of a name: `Rolled Oats (32 oz)` → name `Rolled Oats`, size `32 oz`. */
export function splitSize(name: string): { name: string; size: string | null } {
  const labelled = SIZE_LABEL.exec(name);
  if (labelled) {
    const size = labelled[1]!.trim().replace(/[,;.]$/, "");
    return { name: cleanName(name.slice(0, labelled.index)), size: size || null };
  }
  let size: string | null = null;
  let rest = name;
  for (const m of name.matchAll(SIZE_IN_NAME)) {
    const text = m[0].trim();
    if (DOSE.test(text)) continue;
    size ??= text.replace(/^\(|\)$/g, "");
    // Every size-like part leaves the name ("13.5 fl oz (Pack of 6)"); the first is the size.
    rest = rest.replace(m[0], " ");
  }
  if (!size) {
    // "Ibuprofen 200mg Tablets (16)": a bare count in closing brackets is the pack's count.
    const count = /\s\((\d{1,4})\)\s*$/.exec(name);
    if (count && letters(name.slice(0, count.index)) >= 2) return { name: cleanName(name.slice(0, count.index)), size: count[1]! };
    return { name: cleanName(name), size: null };
  }
  const cleaned = cleanName(rest.replace(/\(\s*\)|\[\s*\]/g, " ").replace(/\s[-–—,/|]\s*(?=[-–—,/|]|$)/g, " "));
  // A name that is only a size (e.g. "1 lb") keeps its words.
  return letters(cleaned) >= 2 ? { name: cleaned, size: size.replace(/\s+/g, " ") } : { name: cleanName(name), size: null };
}

/** Quantity markers in a line, and the line without them. */
function quantityOf(text: string): { quantity: number | null; rest: string; each: boolean } {
  const each = /\b(?:each|ea\.?|\/\s?ea|per unit|je|chacun|c\/u|cad\.|pro stück|st\.)\b|\s@\s/i.test(text);
  for (const re of [QTY_WEIGHT, QTY_LABEL, QTY_TIMES_PRICE, QTY_LEADING, QTY_AT, QTY_TRAILING]) {
    const m = re.exec(text);
    if (m) {
      const q = Number(m[1]!.replace(",", "."));
      // "3 x $1.49" names the unit price: the other amount on the line is the line total.
      if (q > 0 && q < 1000)
        return { quantity: q, rest: text.replace(m[0], " "), each: each || (re === QTY_TIMES_PRICE && (text.match(/¤/g) ?? []).length < 2) };
    }
  }
  return { quantity: null, rest: text, each };
}

// --- fields -------------------------------------------------------------------------------------------------------

const CHARGED =
  /\b(amount charged|total charged|charged to|you paid|amount paid|total paid|paid today|payment total|grand total|order total|total due|amount due|total amount|invoice total|gesamtbetrag|gesamtsumme|endbetrag|zu zahlen|montant total|total ttc|total payé|rechnungsbetrag|importe total|total pagado|total a pagar|totale pagato|importo totale|totaalbedrag|te betalen|charged)\b/i;
const REFUNDED =
  /\b(refund(?:ed)?\s*(?:total|amount)|amount refunded|total refunded|refunded to|refund of|refund issued|credited to|erstattungsbetrag|erstattet|rückerstattung|montant rembours|remboursement|reembolso|importe reembolsado|rimborso|terugbetaling)\b/i;
const PLAIN_TOTAL = /\b(total|summe|gesamt|totale|totaal|montant|importe)\b/i;
const NOT_TOTAL =
  /\b(sub-?\s?total|zwischensumme|sous-total|subtotale|subtotaal|total (?:before|excl|savings|saved|discount|tax|vat|items?\b|qty|quantity|weight|points)|(?:tax|vat|item|items|savings|discount) total|before tax|pre-tax|you saved|total savings)\b/i;

type TotalHit = { amount: number; currency: Currency | null; rank: number; index: number };

function findTotal(lines: string[], refund: boolean): TotalHit | null {
  let best: TotalHit | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // "Total refunded: $39.99 to Visa ending 5512. Please allow…": the label is what precedes the first amount.
    let label = labelOf(line);
    const first = findMoney(line)[0];
    if (words(label) > 8 && first?.text) label = labelOf(line.slice(0, first.index + first.text.length));
    if (!label || NOT_TOTAL.test(label) || words(label) > 8) continue;
    const rank = refund && REFUNDED.test(label) ? 4 : CHARGED.test(label) ? 3 : PLAIN_TOTAL.test(label) ? 2 : 0;
    if (rank === 0) continue;
    let money = findMoney(line);
    // A row of labels over a row of values ("AMOUNT PAID | DATE PAID" / "$52.31 | Apr 2, 2026"): same column.
    const cells = cellsOf(line);
    const below = i + 1 < lines.length ? cellsOf(lines[i + 1]!) : [];
    if (money.length === 0 && cells.length >= 2 && below.length === cells.length && !headerColumns(cells)) {
      const column = cells.findIndex((c) => !NOT_TOTAL.test(c) && (REFUNDED.test(c) || CHARGED.test(c) || PLAIN_TOTAL.test(c)));
      const value = column >= 0 ? findMoney(below[column]!) : [];
      if (value.length) money = value;
    }
    // "Total" and its amount in separate blocks: the amount is the next line, alone.
    if (money.length === 0 && i + 1 < lines.length && letters(labelOf(lines[i + 1]!)) === 0) money = findMoney(lines[i + 1]!);
    if (money.length === 0) {
      const bare = cellsOf(line)
        .map(bareAmount)
        .filter((n) => n !== null);
      if (bare.length) money = [{ amount: bare[bare.length - 1]!, currency: null, index: 0, text: "" }];
    }
    const last = money[money.length - 1];
    if (!last) continue;
    if (!best || rank > best.rank || (rank === best.rank && rank < 4)) best = { amount: Math.abs(last.amount), currency: last.currency, rank, index: i };
  }
  return best;
}

const ORDER_ID_LABEL = `(?:order|bestellung|bestell|bestel|auftrags?|commande|pedido|ordine|bestelling|invoice|rechnung|facture|factura|fattura|factuur|receipt|beleg|quittung|reçu|recibo|ricevuta|confirmation|transaction|booking|reference|purchase)`;
const ORDER_ID = new RegExp(
  String.raw`${ORDER_ID_LABEL}[-\s]*(?:number|nummer|num(?:ber|éro|ero)?\.?|número|numero|no\.?|nr\.?|n[°º]\.?|#|id|code|ref(?:erence)?)?\s*[:#.]?\s*(?:is\s*)?[:#]?\s*#?\s*((?=[A-Z0-9_/.-]*\d)[A-Z0-9][A-Z0-9]*(?:[-_/.][A-Z0-9]+)*)`,
  "gi",
);

function findOrderId(subject: string, lines: string[]): string | null {
  const candidates: { id: string; score: number }[] = [];
  const texts = [subject, ...lines];
  texts.forEach((text, position) => {
    for (const m of text.replace(/\t/g, " ").matchAll(ORDER_ID)) {
      const id = m[1]!;
      if (!/\d/.test(id) || id.length < 4 || id.length > 40) continue;
      // A date or amount after "Order" ("Order 12/03/2026") is not an id.
      if (/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(id) || /^20\d{2}-\d{2}-\d{2}$/.test(id)) continue;
      const label = m[0].toLowerCase();
      const score =
        (/order|bestell|commande|pedido|ordine|auftrag/.test(label) ? 3 : 1) +
        (/#|number|no|nr|id|:/.test(label.slice(0, label.length - id.length)) ? 1 : 0) -
        position * 0.001;
      candidates.push({ id: id.replace(/[.]$/, ""), score });
    }
  });
  candidates.sort((a, b) => b.score - a.score);
  return candidates[0]?.id ?? null;
}

const DATE_LABEL =
  /\b(order date|date ordered|ordered on|order placed|placed on|placed|purchase date|date of purchase|purchased on|invoice date|receipt date|transaction date|payment date|date paid|paid on|date|bestelldatum|rechnungsdatum|datum|date de commande|date de la commande|fecha del pedido|fecha de compra|fecha|data dell'ordine|data ordine|data|besteldatum)\b/i;
const NOT_ORDER_DATE = /\b(deliver|arriv|ship|estimated|expected|expires?|valid|due|return by|pickup|lieferung|livraison|entrega|consegna|bezorg)/i;

const REFUND_DATE = /\b(refund(?:ed)? (?:date|on)|date (?:of )?refund|erstattet am|date (?:du|de) remboursement|fecha de(?:l)? reembolso)\b/i;

function findOrderDate(lines: string[], dayFirst: boolean, refund: boolean): { date: string; confidence: number } | null {
  // A refund is dated by when it was refunded, not by the original order's "placed on".
  if (refund)
    for (const line of lines.slice(0, 80)) {
      const date = REFUND_DATE.test(line) ? parseDate(line, dayFirst) : null;
      if (date) return { date, confidence: 0.9 };
    }
  let fallback: string | null = null;
  for (let i = 0; i < Math.min(lines.length, 80); i++) {
    const line = lines[i]!;
    if (NOT_ORDER_DATE.test(line)) continue;
    const labelled = DATE_LABEL.test(line);
    const date = parseDate(line, dayFirst) ?? (labelled && i + 1 < lines.length ? parseDate(lines[i + 1]!, dayFirst) : null);
    if (!date) continue;
    if (labelled) return { date, confidence: 0.9 };
    fallback ??= date;
  }
  return fallback ? { date: fallback, confidence: 0.6 } : null;
}

// --- merchant -----------------------------------------------------------------------------------------------------

const GENERIC_SENDER =
  /^(?:orders?|order confirmation|receipts?|billing|invoices?|no-?reply|do-?not-?reply|notifications?|info|hello|support|customer (?:service|care|support)|team|shop|store|sales|mail|news|service|accounts?|payments?)$/i;
const SENDER_SUFFIX =
  /\s*(?:[-–|:]\s*)?\b(?:orders?|order confirmations?|order updates?|receipts?|billing|invoices?|no-?reply|notifications?|customer (?:service|care|support)|support|team|shop team|online ?shop|onlineshop|webshop|e-?shop|sales)\s*$/i;

function titleCase(s: string): string {
  return s
    .split(/[-_.\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

function domainName(address: string): string | null {
  const host = address.split("@")[1];
  if (!host) return null;
  const parts = host.toLowerCase().split(".");
  // Drop the public suffix (one label, or two for co.uk-style) and mail subdomains.
  let end = parts.length - 1;
  if (end >= 2 && /^(co|com|org|net|ac|gov)$/.test(parts[end - 1]!) && parts[end]!.length === 2) end -= 1;
  const label = parts[end - 1];
  if (!label || /^(gmail|googlemail|yahoo|outlook|hotmail|icloud|proton|protonmail|gmx|web|aol)$/.test(label)) return null;
  return titleCase(label);
}

function merchantOf(message: Message, lines: string[]): { merchant: string | null; confidence: number } {
  let name = message.fromName.replace(/["“”]/g, "").trim();
  name = name.replace(/\s+(?:via|through|powered by)\s+.+$/i, "").replace(/^(?:receipts?|orders?|invoices?)\s+(?:from|de|von)\s+/i, "");
  for (let i = 0; i < 2; i++) name = name.replace(SENDER_SUFFIX, "").trim();
  name = name
    .replace(/^(?:the\s+)?team\s+(?:at\s+)?/i, "")
    .replace(/[,;:|\-–]+$/, "")
    .trim();
  if (name && !GENERIC_SENDER.test(name) && !name.includes("@") && letters(name) >= 2) return { merchant: name, confidence: 0.8 };
  // No usable display name: the body's "Thank you for shopping at X", else the sender's domain.
  for (const line of lines.slice(0, 40)) {
    const m =
      /\b(?:shopping (?:at|with)|order (?:from|with)|purchase (?:from|at)|thanks? (?:you )?for choosing)\s+([A-Z][\w&'’.\- ]{1,40}?)(?:[.!,]|\s*$)/.exec(line);
    if (m) return { merchant: m[1]!.trim(), confidence: 0.6 };
  }
  const fromDomain = domainName(message.fromAddress);
  return { merchant: fromDomain, confidence: fromDomain ? 0.5 : 0 };
}

// --- currency -----------------------------------------------------------------------------------------------------

function dominantCurrency(text: string, total: TotalHit | null): Currency | null {
  if (total?.currency) return total.currency;
  const counts = new Map<Currency, number>();
  for (const m of findMoney(text)) if (m.currency) counts.set(m.currency, (counts.get(m.currency) ?? 0) + 1);
  const codes = text.match(/\b(USD|EUR|GBP)\b/g) ?? [];
  for (const code of codes) {
    const c = currencyOf(code)!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: Currency | null = null;
  let n = 0;
  for (const [c, k] of counts)
    if (k > n) {
      best = c;
      n = k;
    }
  return best;
}

// --- items --------------------------------------------------------------------------------------------------------

type Columns = { qty: number | null; price: number[] };

function headerColumns(cells: string[]): Columns | null {
  if (cells.length < 2) return null;
  const hits = cells.filter((c) => HEADER_WORD.test(c.replace(/[:()]/g, "").replace(/\s+/g, " ").trim())).length;
  if (hits < 2 || hits < cells.length - 1) return null;
  const qty = cells.findIndex((c) => /^(qty|qté|quantity|quantité|quantita|quantità|cantidad|cant\.?|menge|anzahl|aantal)/i.test(c));
  const price: number[] = [];
  cells.forEach((c, i) => {
    if (/price|each|amount|total|preis|betrag|prix|montant|precio|importe|prezzo|importo|prijs|bedrag|summe|gesamt/i.test(c)) price.push(i);
  });
  return { qty: qty >= 0 ? qty : null, price };
}

// The whole label is the bundle ("Box price (3 meals x 2 servings)", "Subscription"), so "Kit Kat" is not one.
const BUNDLE = /^(?:(?:weekly|monthly) )?(?:box|plan|bundle|kit|subscription|meal kit|meal plan)(?: price| total| cost| fee)?\s*(?:\(.*\))?$/i;

type Draft = { name: string | null; details: string[]; quantity: number | null; lineTotal: number | null; unit: number | null; each: boolean };

function finishItem(d: Draft, items: RuleItem[], refund: boolean) {
  if (!d.name) return;
  // "Product: Plant Protein" in key-value receipts: the label is not part of the name.
  let { name, size } = splitSize(
    d.name.replace(/^\s*(?:product|item|article|artikel|produit|producto|prodotto|artículo|description|name|bezeichnung)\s*:\s*/i, ""),
  );
  for (const detail of d.details) {
    if (size) break;
    const s = SIZE_LABEL.exec(detail) ?? null;
    if (s) size = s[1]!.trim();
    else {
      const inDetail = splitSize(detail);
      if (inDetail.size && letters(inDetail.name) <= 12) size = inDetail.size;
    }
  }
  if (letters(name) < 2 || name.length > 140 || words(name) > 16) return;
  const quantity = d.quantity ?? 1;
  let lineTotal = d.lineTotal;
  if (lineTotal === null && d.unit !== null) lineTotal = roundCents(d.unit * quantity);
  if (lineTotal !== null && refund) lineTotal = Math.abs(lineTotal);
  if (lineTotal !== null && lineTotal < 0) return;
  const confidence = lineTotal !== null ? (d.quantity !== null ? 0.75 : 0.7) : 0.5;
  items.push({ name: name.replace(/\s+/g, " "), quantity, lineTotal, size, confidence });
}

const ATTRIBUTE_ONLY =
  /^(?:qty|quantity|menge|anzahl|qté|quantité|cantidad|quantità|aantal|size|weight|gewicht|größe|taille|poids|tamaño|peso|formato|color|colour|farbe|sku|item|art\.?-?nr|artikelnummer|ref|variant|option|sold by|verkauft von|vendu par)\b\.?\s*[:#]?/i;

function extractItems(lines: string[], refund: boolean, merchant: string | null): RuleItem[] {
  // Items sit above the summary: they end at the first summary line (subtotal, total, tax, shipping...) that
  // follows a priced line. A summary before any priced line (a total at the top) does not end them.
  let end = lines.length;
  let sawPriced = false;
  let lastSummary = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const priced = findMoney(line).length > 0 || bareAmountIn(line);
    if (!priced) continue;
    if (isSummary(labelOf(line))) {
      lastSummary = i;
      if (sawPriced) {
        end = i;
        break;
      }
    } else sawPriced = true;
  }
  if (!sawPriced && lastSummary >= 0) end = lastSummary;
  const merchantKey = merchant?.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "") ?? null;
  const items: RuleItem[] = [];
  let columns: Columns | null = null;
  // Name lines seen since the last item, nearest last; details (size, seller) and a quantity on lines of their own.
  let pending: string[] = [];
  let pendingDetails: string[] = [];
  let pendingQuantity: number | null = null;
  let open: Draft | null = null;
  const reset = () => {
    // A name with a quantity of its own and no price ("Probiotic…" / "Qty: 1") is an item without a line total.
    if (!open && pending.length && pendingQuantity !== null) {
      open = { name: pending[pending.length - 1]!, details: pendingDetails, quantity: pendingQuantity, lineTotal: null, unit: null, each: false };
      flush();
    }
    pending = [];
    pendingDetails = [];
    pendingQuantity = null;
  };
  const flush = () => {
    if (open) finishItem(open, items, refund);
    open = null;
  };
  for (let i = 0; i < end; i++) {
    const line = lines[i]!;
    const cells = cellsOf(line);
    const header = headerColumns(cells);
    if (header) {
      flush();
      columns = header;
      reset();
      continue;
    }
    let money = findMoney(line);
    if (money.length === 0 && cells.length >= 2) {
      const bare = cells.map((c, idx) => ({ v: bareAmount(c), idx })).filter((x) => x.v !== null);
      if (bare.length) money = bare.map((b) => ({ amount: b.v!, currency: null, index: 0, text: cells[b.idx]! }));
    }
    const label = labelOf(line);
    if (money.length && isSummary(label)) {
      flush();
      reset();
      continue;
    }
    if (NOISE.test(line) && (money.length || words(line) > 6)) {
      flush();
      reset();
      continue;
    }
    // Quantity from a column, then from markers in the text.
    let quantity: number | null = null;
    let text = stripMoney(line, money);
    if (columns?.qty != null && cells.length >= 2) {
      const q = cells[columns.qty];
      if (q && /^\d{1,4}$/.test(q.trim())) {
        quantity = Number(q);
        text = cells.filter((_, idx) => idx !== columns!.qty && !money.some((m) => m.text && cells[idx]!.includes(m.text))).join("  ");
      }
    }
    const marked = quantityOf(text);
    if (quantity === null) quantity = marked.quantity;
    text = marked.rest;
    // A cell that is only a small integer, in a row with a price, is the quantity column without a header.
    let nameCells = cellsOf(text.replace(/\t/g, "  "));
    if (quantity === null && money.length) {
      const intCell = nameCells.findIndex((c) => /^\d{1,2}$/.test(c));
      if (intCell >= 0 && nameCells.length >= 2) {
        quantity = Number(nameCells[intCell]);
        nameCells = nameCells.filter((_, idx) => idx !== intCell);
      }
    }
    const details = nameCells.filter((c) => ATTRIBUTE_ONLY.test(c));
    const namePart = cleanName(
      nameCells
        .filter((c) => !ATTRIBUTE_ONLY.test(c) && letters(c) >= 1 && !/^(?:each|ea|je|pro stück|per unit)$/i.test(c))
        .join(" ")
        .replace(/\b(?:each|ea\.?|per unit)\b/gi, " ")
        .replace(/[@=¤]/g, " "),
    );
    const notName =
      NOT_A_NAME.test(namePart) ||
      words(namePart) > 14 ||
      (parseDate(namePart, false) !== null && letters(namePart.replace(/[A-Za-z]{3,9}\.? \d{1,2}|\d{1,2} [A-Za-z]{3,9}/g, "")) < 6) ||
      (ORDER_ID.test(namePart) && /\d/.test(namePart));
    ORDER_ID.lastIndex = 0;
    const isMerchant = merchantKey !== null && namePart.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "") === merchantKey;
    const hasName = letters(namePart) >= 2 && !isSummary(namePart) && !HEADER_WORD.test(namePart) && !notName && !isMerchant;
    const sizeOnly = hasName && isSizeOnly(namePart);

    if (money.length === 0) {
      // A heading ("This week's meals (2 servings each):") starts a new list: what came above it is not an item.
      if (notName || isMerchant || /:\s*$/.test(line)) {
        flush();
        reset();
        continue;
      }
      if (!hasName) {
        if (open && open.lineTotal === null) {
          if (quantity !== null && open.quantity === null) open.quantity = quantity;
          open.details.push(...details);
        } else {
          if (quantity !== null) pendingQuantity = quantity;
          pendingDetails.push(...details);
        }
        continue;
      }
      if (open && open.lineTotal === null && sizeOnly) {
        open.details.push(namePart);
        continue;
      }
      if (quantity !== null) {
        // "Oat milk × 2" with its price on a line of its own below, or with no price at all; "32 oz · Qty 1" under a name.
        flush();
        const named = sizeOnly && pending.length > 0;
        open = {
          name: named ? pending[pending.length - 1]! : namePart,
          details: named ? [...pendingDetails, namePart, ...details] : details,
          quantity,
          lineTotal: null,
          unit: null,
          each: false,
        };
        reset();
        continue;
      }
      flush();
      if (pending.length && sizeOnly) pendingDetails.push(namePart);
      else pending.push(namePart);
      if (pending.length > 12) pending.shift();
      pendingDetails.push(...details);
      continue;
    }

    // A line with money.
    const amounts = money.map((m) => m.amount);
    const last = amounts[amounts.length - 1]!;
    const unit = amounts.length >= 2 ? amounts[0]! : null;
    if (open && open.lineTotal === null && (!hasName || sizeOnly || words(namePart) <= 2)) {
      // The price line of an item whose name came above it.
      if (hasName) open.details.push(namePart);
      open.details.push(...details);
      if (quantity !== null && open.quantity === null) open.quantity = quantity;
      const q = open.quantity ?? 1;
      open.lineTotal = amounts.length >= 2 ? last : marked.each ? roundCents(last * q) : last;
      flush();
      reset();
      continue;
    }
    flush();
    if (notName || isMerchant) {
      reset();
      continue;
    }
    // One price for a box of listed things ("Box price (3 meals x 2 servings) $59.94" under three meal names): the
    // names are the items, bought once each, and the price belongs to none of them alone.
    if (BUNDLE.test(namePart) && pending.length >= 2 && pendingQuantity === null) {
      for (const bundled of pending) finishItem({ name: bundled, details: [], quantity: 1, lineTotal: null, unit: null, each: false }, items, refund);
      pending = [];
      reset();
      continue;
    }
    let name: string | null = hasName && !sizeOnly ? namePart : (pending[pending.length - 1] ?? null);
    const extra: string[] = hasName && sizeOnly ? [namePart] : [];
    if (!name && !hasName) {
      reset();
      continue;
    }
    name ??= namePart;
    const each = marked.each && amounts.length === 1;
    open = {
      name,
      details: [...pendingDetails, ...details, ...extra],
      quantity: quantity ?? pendingQuantity,
      lineTotal: each ? null : last,
      unit: each ? last : unit,
      each,
    };
    reset();
    flush();
  }
  flush();
  reset();
  return dedupe(items);
}

/** "2 servings", "8 oz", "2 oz tin": a line that is a size, not a name. */
function isSizeOnly(text: string): boolean {
  if (words(text) > 3) return false;
  const rest = text.replace(SIZE_IN_NAME, " ");
  SIZE_IN_NAME.lastIndex = 0;
  return rest !== text && letters(rest) <= 4;
}

function bareAmountIn(line: string): boolean {
  const cells = cellsOf(line);
  return cells.length >= 2 && cells.some((c) => bareAmount(c) !== null);
}

/** HTML and its inline "view as text" copy can list the same items twice in one body. */
function dedupe(items: RuleItem[]): RuleItem[] {
  const seen = new Set<string>();
  const out: RuleItem[] = [];
  for (const item of items) {
    const key = `${item.name.toLowerCase()}|${item.quantity}|${item.lineTotal}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

// --- the whole message --------------------------------------------------------------------------------------------

/** Dot leaders ("Tahini ........ 7.25") separate a name from its amount the way a column gap does. */
const LEADER = /\s*\.{4,}\s*|\s+\.{2,}\s+/g;
/** A unit price's "/kg" or "/lb" ("$1.49/kg") says "each" in weight; left in, it would read as a name. */
const PER_UNIT = /([$€£]\s?\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s?[$€£])\s*(?:\/|per\s)\s*(?:kg|lbs?|100\s?g|g|oz|ea|each)\b/gi;
/** "Substituted for Organic Gala Apples" under a delivered item names what was replaced, not what was bought. */
const SUBSTITUTE = /^(?:substitut(?:ed|e|ion)|replac(?:ed|ement)|instead of|ersetzt durch|ersatz für|remplacé|sustituido)\b[^·•|\t]*/i;

export function extractByRules(message: Message): RuleResult {
  const lines = message.text.split("\n").map((line) => line.replace(LEADER, "  ").replace(PER_UNIT, "$1 each").replace(SUBSTITUTE, " "));
  const sig = signals(message, lines);
  const refund = sig.refund;
  const total = findTotal(lines, refund);
  const currency = dominantCurrency(message.text, total);
  const dayFirst = currency === "EUR" || currency === "GBP" || /\.(de|fr|es|it|nl|at|be|uk|ie|eu)$/.test(message.fromAddress);
  const orderId = findOrderId(message.subject, lines);
  const items = extractItems(lines, refund, merchantOf(message, lines).merchant);
  const date = findOrderDate(lines, dayFirst, refund);
  const { merchant, confidence: merchantConfidence } = merchantOf(message, lines);

  // Detection: what the message says it is (signals.ts), then whether it has the shape of a receipt.
  let score = sig.score;
  if (total) score += total.rank >= 3 ? 2 : 1.5;
  if (orderId) score += 1;
  if (items.some((i) => i.lineTotal !== null)) score += 1;
  if (sig.paymentMethod) score += 1;
  const isReceipt = total !== null && score >= 4 && !sig.veto;
  const receiptConfidence = Math.max(0.05, Math.min(0.95, 0.5 + (score - 4) * 0.1));
  return {
    isReceipt,
    receiptConfidence: isReceipt ? receiptConfidence : 1 - receiptConfidence,
    kind: isReceipt ? (refund ? "refund" : "order") : "none",
    merchant,
    merchantConfidence,
    orderId,
    orderDate: date?.date ?? message.date,
    orderDateConfidence: date?.confidence ?? (message.date ? 0.6 : 0),
    currency,
    total: total?.amount ?? null,
    totalConfidence: total ? (total.rank >= 3 ? 0.85 : 0.7) : 0,
    items,
    signals: sig,
  };
}
