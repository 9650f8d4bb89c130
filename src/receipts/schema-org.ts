import { parseDate } from "./dates.ts";
import { decodeEntities } from "./html.ts";
import type { Currency } from "./money.ts";
import { currencyOf, parseNumber, roundCents } from "./money.ts";

/**
 * Layer 1: schema.org `Order` / `Invoice` markup, the markup Gmail itself reads
 * (https://developers.google.com/workspace/gmail/markup/reference/order), as JSON-LD or as microdata.
 */

export type MarkupItem = { name: string; quantity: number; lineTotal: number | null };
export type MarkupOrder = {
  merchant: string | null;
  orderId: string | null;
  orderDate: string | null;
  currency: Currency | null;
  total: number | null;
  refund: boolean;
  items: MarkupItem[];
};

type Node = Record<string, unknown>;

const isType = (node: Node, ...types: string[]) => {
  const t = node["@type"] ?? node.type;
  const list = Array.isArray(t) ? t : [t];
  return list.some((x) => typeof x === "string" && types.includes(x.replace(/^https?:\/\/schema\.org\//, "")));
};

function* walk(value: unknown, depth = 0): Generator<Node> {
  if (depth > 12 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const v of value) yield* walk(v, depth + 1);
    return;
  }
  const node = value as Node;
  yield node;
  if (node["@graph"]) yield* walk(node["@graph"], depth + 1);
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const text = (v: unknown): string | null => {
  const x = first(v);
  if (typeof x === "string") return x.trim() || null;
  if (typeof x === "number") return String(x);
  if (x && typeof x === "object") return text((x as Node).name ?? (x as Node)["@value"] ?? (x as Node).value);
  return null;
};
const number = (v: unknown): number | null => {
  const x = first(v);
  if (typeof x === "number" && Number.isFinite(x)) return x;
  if (typeof x === "string") return parseNumber(x.replace(/[^\d.,]/g, ""));
  if (x && typeof x === "object") return number((x as Node).price ?? (x as Node).value);
  return null;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

function interpret(node: Node): MarkupOrder {
  const invoice = isType(node, "Invoice");
  const order = invoice ? ((first(node.referencesOrder) as Node | undefined) ?? {}) : node;
  const totalSpec = first(node.totalPaymentDue ?? node.totalPrice ?? node.priceSpecification) as Node | undefined;
  const currencyText = text(node.priceCurrency) ?? text(totalSpec?.priceCurrency) ?? text(order.priceCurrency);
  const items: MarkupItem[] = [];
  for (const offer of list(order.acceptedOffer ?? node.acceptedOffer)) {
    if (!offer || typeof offer !== "object") continue;
    const o = offer as Node;
    const name = text(o.itemOffered) ?? text(o.name);
    if (!name) continue;
    const quantity = number(o.eligibleQuantity) ?? 1;
    const price = number(o.price);
    items.push({ name, quantity, lineTotal: price === null ? null : roundCents(price * quantity) });
  }
  for (const entry of list(order.orderedItem ?? node.orderedItem)) {
    if (!entry || typeof entry !== "object") continue;
    const o = entry as Node;
    const product = (first(o.orderedItem) as Node | undefined) ?? o;
    const name = text(product.name ?? product);
    if (!name) continue;
    const quantity = number(o.orderQuantity) ?? 1;
    const price = number(o.price ?? product.offers);
    items.push({ name, quantity, lineTotal: price === null ? null : roundCents(price * quantity) });
  }
  const status = `${text(order.orderStatus) ?? ""} ${text(node.paymentStatus) ?? ""}`;
  return {
    merchant: text(order.merchant ?? order.seller ?? node.provider ?? node.broker ?? node.seller),
    orderId: text(order.orderNumber ?? node.confirmationNumber ?? node.identifier ?? node.accountId),
    orderDate: (() => {
      const d = text(order.orderDate ?? node.paymentDueDate ?? node.scheduledPaymentDate);
      return d ? parseDate(d, false) : null;
    })(),
    currency: currencyText ? currencyOf(currencyText) : null,
    total: number(totalSpec) ?? number(node.price) ?? number(order.price),
    refund: /Returned|Refund/i.test(status),
    items,
  };
}

/** JSON-LD blocks: `<script type="application/ld+json">`. A block that is not JSON is ignored. */
export function jsonLdOrders(html: string): MarkupOrder[] {
  const found: MarkupOrder[] = [];
  for (const m of html.matchAll(/<script\b[^>]*type\s*=\s*["']?application\/ld\+json["']?[^>]*>([\s\S]*?)<\/script\s*>/gi)) {
    let data: unknown;
    try {
      data = JSON.parse(m[1]!.trim());
    } catch {
      continue;
    }
    for (const node of walk(data)) if (isType(node, "Order", "Invoice")) found.push(interpret(node));
  }
  return found;
}

// --- microdata: a small tag tree, enough for itemscope/itemprop/content ---

const VOID = new Set(["meta", "link", "img", "br", "hr", "input", "area", "base", "col", "source", "wbr"]);
type El = { tag: string; attrs: string; children: (El | string)[] };

function tree(html: string): El {
  const root: El = { tag: "#root", attrs: "", children: [] };
  const stack: El[] = [root];
  let last = 0;
  const cleaned = html.replace(/<!--[\s\S]*?-->/g, "").replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "");
  for (const m of cleaned.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) top.children.push(cleaned.slice(last, m.index));
    last = m.index + m[0].length;
    const tag = m[2]!.toLowerCase();
    if (m[1]) {
      const at = stack.findLastIndex((e) => e.tag === tag);
      if (at > 0) stack.length = at;
      continue;
    }
    const el: El = { tag, attrs: m[3]!, children: [] };
    top.children.push(el);
    if (!VOID.has(tag) && !m[3]!.trimEnd().endsWith("/")) stack.push(el);
  }
  return root;
}

const attr = (el: El, name: string): string | null => {
  const m = new RegExp(`(?:^|\\s)${name}(?:\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+)))?`, "i").exec(el.attrs);
  if (!m) return null;
  return decodeEntities(m[1] ?? m[2] ?? m[3] ?? "");
};
const textOf = (el: El): string =>
  el.children
    .map((c) => (typeof c === "string" ? c : textOf(c)))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();

function itemValue(el: El): unknown {
  if (attr(el, "itemscope") !== null) return scope(el);
  const content = attr(el, "content") ?? attr(el, "datetime") ?? (el.tag === "a" || el.tag === "link" ? attr(el, "href") : null);
  return content ?? decodeEntities(textOf(el));
}

function collect(el: El, into: Node) {
  for (const child of el.children) {
    if (typeof child === "string") continue;
    const props = attr(child, "itemprop");
    if (props) {
      const value = itemValue(child);
      for (const p of props.split(/\s+/)) {
        const prev = into[p];
        into[p] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
      }
      if (attr(child, "itemscope") !== null) continue;
    }
    if (attr(child, "itemscope") === null) collect(child, into);
  }
}

function scope(el: El): Node {
  const node: Node = { "@type": (attr(el, "itemtype") ?? "").split(/\s+/)[0] ?? "" };
  collect(el, node);
  return node;
}

export function microdataOrders(html: string): MarkupOrder[] {
  if (!/itemtype\s*=\s*["']?https?:\/\/schema\.org\/(Order|Invoice)/i.test(html)) return [];
  const found: MarkupOrder[] = [];
  const visit = (el: El) => {
    for (const child of el.children) {
      if (typeof child === "string") continue;
      if (attr(child, "itemscope") !== null && /schema\.org\/(Order|Invoice)\b/i.test(attr(child, "itemtype") ?? "")) found.push(interpret(scope(child)));
      else visit(child);
    }
  };
  visit(tree(html));
  return found;
}

/** The first Order/Invoice in the message's markup, JSON-LD first. */
export function markupOrder(html: string | null): MarkupOrder | null {
  if (!html) return null;
  return jsonLdOrders(html)[0] ?? microdataOrders(html)[0] ?? null;
}
