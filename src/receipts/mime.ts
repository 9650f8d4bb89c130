import PostalMime from "postal-mime";
import { headerDate } from "./dates.ts";
import { htmlToText, tidy } from "./html.ts";
import type { SkipReason } from "./types.ts";

/** Receipts are small; a message over this is a newsletter with images or an attachment we do not read. */
export const MAX_MESSAGE_BYTES = 2_000_000;

export type Message = {
  subject: string;
  fromName: string;
  fromAddress: string;
  /** The calendar date the (original, if forwarded) message was sent, in its own time zone. */
  date: string | null;
  html: string | null;
  /** The readable text: the HTML's when there is HTML (it carries the tables), else the plain text part. */
  text: string;
  forwarded: boolean;
};

export type MimeResult = { ok: true; message: Message } | { ok: false; reason: SkipReason; detail: string };

const FORWARD_MARK =
  /(?:-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Weitergeleitete Nachricht\s*-{2,}|-{2,}\s*Message transféré\s*-{2,}|-{2,}\s*Mensaje reenviado\s*-{2,})/i;

export async function parseMime(raw: string | ArrayBuffer | Uint8Array): Promise<MimeResult> {
  const size = typeof raw === "string" ? raw.length : raw.byteLength;
  if (size > MAX_MESSAGE_BYTES) return { ok: false, reason: "too_large", detail: `${size} bytes, over ${MAX_MESSAGE_BYTES}` };
  if (size === 0) return { ok: false, reason: "empty", detail: "no bytes" };
  const head = typeof raw === "string" ? raw.slice(0, 4096) : new TextDecoder().decode((raw instanceof Uint8Array ? raw : new Uint8Array(raw)).slice(0, 4096));
  // A message must start with header fields and have a blank line before its body.
  if (!/^[\x21-\x39\x3b-\x7e]+:/.test(head) || !/\r?\n\r?\n/.test(head + (size > 4096 ? "\n\n" : ""))) {
    return { ok: false, reason: "malformed_mime", detail: "no header block" };
  }
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw, { maxNestingDepth: 50 });
  } catch (error) {
    return { ok: false, reason: "malformed_mime", detail: error instanceof Error ? error.message.slice(0, 200) : "unparseable" };
  }
  const html = email.html?.trim() ? email.html : null;
  const text = html && !preferPlain(html, email.text) ? htmlToText(html) : tidy(email.text ?? "");
  if (!text) return { ok: false, reason: "empty", detail: "no readable body" };
  const from = email.from && "address" in email.from && email.from.address ? email.from : null;
  const dateHeader = email.headers.find((h) => h.key === "date")?.value;
  const message: Message = {
    subject: (email.subject ?? "").trim(),
    fromName: from?.name ?? "",
    fromAddress: (from?.address ?? "").toLowerCase(),
    date: headerDate(dateHeader),
    html,
    text,
    forwarded: false,
  };
  return { ok: true, message: unforward(message) };
}

/**
 * An HTML part that is only the plain text with line breaks (a forwarded or plain-text receipt re-wrapped by the mail
 * client) loses the column gaps that separate a name, a quantity and a price; the plain part keeps them.
 */
function preferPlain(html: string, plain: string | undefined): boolean {
  if (!plain?.trim() || /<(?:table|td|li)\b/i.test(html)) return false;
  const aligned = plain.split("\n").filter((line) => /\S(?: {2,}|\t)\S/.test(line) && /\d/.test(line)).length;
  return aligned >= 2;
}

/**
 * A receipt a person forwarded to themselves: the sender, date and subject that matter are the original's, in the
 * header block the mail client quotes after its forward marker.
 */
function unforward(message: Message): Message {
  const mark = FORWARD_MARK.exec(message.text);
  const subjectSaysForward = /^\s*(fwd?|fw|wg|tr|rv|i)\s*:/i.test(message.subject);
  if (!mark && !subjectSaysForward) return message;
  const start = mark ? mark.index + mark[0].length : 0;
  const block = message.text
    .slice(start, start + 1200)
    .split("\n")
    .slice(0, 12);
  const field = (names: string) => {
    const re = new RegExp(`^\\s*(?:${names})\\s*:\\s*(.+)$`, "i");
    for (const line of block) {
      const m = re.exec(line.replace(/\t/g, " "));
      if (m) return m[1]!.trim();
    }
    return null;
  };
  const from = field("From|Von|De|Da|Van");
  if (!from) return message;
  const addr = /<([^>]+)>/.exec(from) ?? /([\w.+-]+@[\w.-]+)/.exec(from);
  const name = from
    .replace(/<[^>]*>/, "")
    .replace(/["']/g, "")
    .replace(/\[mailto:[^\]]*\]/i, "")
    .trim();
  const date = field("Date|Sent|Datum|Gesendet|Envoyé|Enviado|Inviato");
  const subject = field("Subject|Betreff|Objet|Asunto|Oggetto");
  return {
    ...message,
    fromName: name.includes("@") && !addr ? "" : name.replace(/[\w.+-]+@[\w.-]+/, "").trim(),
    fromAddress: (addr?.[1] ?? message.fromAddress).toLowerCase(),
    date: (date && headerDate(date)) ?? message.date,
    subject: subject ?? message.subject.replace(/^\s*(fwd?|fw|wg|tr|rv|i)\s*:\s*/i, ""),
    text: message.text.slice(start),
    forwarded: true,
  };
}
