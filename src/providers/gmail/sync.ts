import { type AiRunner, DEFAULT_AI_MODEL } from "../../receipts/ai";
import { extractReceipt } from "../../receipts/extract";
import { MAX_MESSAGE_BYTES } from "../../receipts/mime";
import { ProviderRequestError, ProviderStateExpiredError } from "../../sync/pull-context";
import type { PullContext, PulledPage, SyncSpec, SyncWindow } from "../types";
import { type GmailKind, type GmailMessagePage, normalizeGmail } from "./normalize";

const MESSAGES_ENDPOINT = "https://gmail.googleapis.com/gmail/v1/users/me/messages";
const HISTORY_ENDPOINT = "https://gmail.googleapis.com/gmail/v1/users/me/history";
const PROFILE_ENDPOINT = "https://gmail.googleapis.com/gmail/v1/users/me/profile";

/** When Gmail no longer has the stored historyId (404), this many days are re-read through the backfill path. */
export const GMAIL_RESCAN_DAYS = 30;
/** Messages added to these labels are never receipts we read (drafts, chats, spam, trash). */
const IGNORED_LABELS = new Set(["DRAFT", "CHAT", "SPAM", "TRASH"]);

/** How far back the scan on connect reads (issue 15: twelve months), in jobs of a month each. */
export const GMAIL_LOOKBACK_DAYS = 365;
const BACKFILL_JOB_DAYS = 30;
/** Message ids per list page; each id costs one `messages.get`. */
const LIST_PAGE_SIZE = 30;
/**
 * Workers AI calls are not provider requests (the engine does not count them): a job asks the model about this
 * many messages at most (each may be asked twice), the rest are read by the deterministic parser.
 */
const AI_MESSAGES_PER_JOB = 6;

/**
 * Receipt-shaped: Gmail's own Purchases category, or a subject naming an order, receipt, invoice or refund in the
 * languages the parser reads. Chats are never mail. The query narrows what we read; every message is still
 * classified (look-alikes match it too) and only receipts are kept.
 */
export const RECEIPT_QUERY =
  "(category:purchases OR subject:(order OR receipt OR invoice OR refund OR purchase OR confirmation OR bestellung OR rechnung OR commande OR facture OR pedido OR factura OR ordine OR ricevuta OR bestelling)) -in:chats";

/** Gmail's `after:`/`before:` take epoch seconds; `after` is inclusive, `before` exclusive (window end exclusive). */
export function windowQuery(window: SyncWindow): string {
  return `${RECEIPT_QUERY} after:${Math.floor(window.start / 1000)} before:${Math.ceil(window.end / 1000)}`;
}

type ListBody = { messages?: { id?: unknown }[]; nextPageToken?: unknown };
type RawMessage = { id?: unknown; raw?: unknown; sizeEstimate?: unknown; internalDate?: unknown };

function base64urlBytes(value: string): Uint8Array {
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function aiRunner(env: Env, used: { n: number }): AiRunner | undefined {
  const binding = env.AI;
  if (!binding) return undefined;
  const model = env.RECEIPTS_AI_MODEL || DEFAULT_AI_MODEL;
  return async (_model, input) => {
    if (used.n >= AI_MESSAGES_PER_JOB * 2) throw new Error("AI budget for this job used");
    used.n++;
    return (binding.run as (m: string, i: unknown) => Promise<unknown>)(model, input);
  };
}

/**
 * One message as a page: the parsed receipt (or why it was skipped), its id and hash. The raw bytes end here; they
 * are never part of the page, so they never reach the record store.
 */
async function readMessage(ctx: PullContext, id: string, ai: AiRunner | undefined): Promise<GmailMessagePage | undefined> {
  const url = new URL(`${MESSAGES_ENDPOINT}/${encodeURIComponent(id)}`);
  url.searchParams.set("format", "raw");
  let response: Response;
  try {
    response = await ctx.request(url);
  } catch (error) {
    // Deleted between being listed and being read: nothing to keep.
    if (error instanceof ProviderRequestError && error.status === 404) return undefined;
    throw error;
  }
  const body = (await response.json().catch(() => ({}))) as RawMessage;
  const size = typeof body.sizeEstimate === "number" ? body.sizeEstimate : 0;
  if (size > MAX_MESSAGE_BYTES) return { id, outcome: { status: "skipped", reason: "too_large", detail: `${size} bytes` } };
  if (typeof body.raw !== "string") return { id, outcome: { status: "skipped", reason: "malformed_mime", detail: "no raw body" } };
  let bytes: Uint8Array;
  try {
    bytes = base64urlBytes(body.raw);
  } catch {
    return { id, outcome: { status: "skipped", reason: "malformed_mime", detail: "raw is not base64url" } };
  }
  const sha256 = await sha256Hex(bytes);
  const receivedAt = Number(body.internalDate);
  const result = await extractReceipt(bytes, { ai });
  const base = { id, sha256, ...(Number.isFinite(receivedAt) && receivedAt > 0 ? { receivedAt } : {}) };
  if (result.status === "skipped") return { ...base, outcome: result };
  return { ...base, outcome: { status: "parsed", extraction: result.extraction, review: result.review, aiVersion: result.aiVersion } };
}

type HistoryBody = {
  history?: { id?: unknown; messagesAdded?: { message?: { id?: unknown; labelIds?: unknown } }[] }[];
  nextPageToken?: unknown;
  historyId?: unknown;
};

/** A historyId is an unsigned 64-bit integer sent as a decimal string. */
const isHistoryId = (value: unknown): value is string => typeof value === "string" && /^\d{1,20}$/.test(value);

/**
 * Messages added since `startHistoryId`, oldest first: one history page and at most LIST_PAGE_SIZE messages a job.
 * Where that stops short, the resume point is the last history record read in full, so the next pull (the cron's
 * or a push's) continues from there. https://developers.google.com/gmail/api/reference/rest/v1/users.history/list
 * and https://developers.google.com/gmail/api/guides/sync ("a 404 … perform a full sync").
 */
async function* pullHistory(ctx: PullContext, startHistoryId: string, ai: AiRunner | undefined): AsyncGenerator<PulledPage<GmailKind>> {
  const url = new URL(HISTORY_ENDPOINT);
  url.searchParams.set("startHistoryId", startHistoryId);
  url.searchParams.set("historyTypes", "messageAdded");
  url.searchParams.set("maxResults", "100");
  let body: HistoryBody;
  try {
    body = (await (await ctx.request(url)).json().catch(() => ({}))) as HistoryBody;
  } catch (error) {
    if (error instanceof ProviderRequestError && error.status === 404) throw new ProviderStateExpiredError(GMAIL_RESCAN_DAYS);
    throw error;
  }
  const seen = new Set<string>();
  let reached = startHistoryId;
  let complete = true;
  for (const record of body.history ?? []) {
    const ids: string[] = [];
    for (const added of record.messagesAdded ?? []) {
      const id = added.message?.id;
      const labels = Array.isArray(added.message?.labelIds) ? added.message.labelIds : [];
      if (typeof id !== "string" || !id || seen.has(id) || labels.some((l) => IGNORED_LABELS.has(String(l)))) continue;
      ids.push(id);
    }
    if (seen.size + ids.length > LIST_PAGE_SIZE && seen.size > 0) {
      complete = false;
      break;
    }
    for (const id of ids) {
      seen.add(id);
      const page = await readMessage(ctx, id, ai);
      if (page) yield { kind: "message", body: page };
    }
    if (isHistoryId(record.id)) reached = record.id;
  }
  if (complete && !body.nextPageToken && isHistoryId(body.historyId)) reached = body.historyId;
  ctx.state?.set(reached);
}

async function* pullGmail(ctx: PullContext, window: SyncWindow): AsyncGenerator<PulledPage<GmailKind>> {
  const used = { n: 0 };
  const ai = aiRunner(ctx.env, used);
  if (ctx.state?.incremental && ctx.state.value) {
    yield* pullHistory(ctx, ctx.state.value, ai);
    return;
  }
  if (!(window.end > window.start)) return;
  if (ctx.state && !ctx.state.value) {
    // The mailbox's historyId before the window is listed: nothing that arrives while it is read is missed.
    const profile = (await (await ctx.request(PROFILE_ENDPOINT)).json().catch(() => ({}))) as { historyId?: unknown };
    if (isHistoryId(profile.historyId)) ctx.state.set(profile.historyId);
  }
  const followed = new Set<string>();
  let pageToken: string | null = null;
  do {
    const url = new URL(MESSAGES_ENDPOINT);
    url.searchParams.set("q", windowQuery(window));
    url.searchParams.set("maxResults", String(LIST_PAGE_SIZE));
    if (pageToken) url.searchParams.set("pageToken", pageToken);
    const list = (await (await ctx.request(url)).json().catch(() => ({}))) as ListBody;
    for (const message of list.messages ?? []) {
      if (typeof message.id !== "string" || !message.id) continue;
      const page = await readMessage(ctx, message.id, ai);
      if (page) yield { kind: "message", body: page };
    }
    pageToken = typeof list.nextPageToken === "string" && list.nextPageToken ? list.nextPageToken : null;
    if (pageToken && followed.has(pageToken)) return;
    if (pageToken) followed.add(pageToken);
  } while (pageToken);
}

export const gmailSync: SyncSpec<GmailKind> = {
  kinds: ["message"],
  // New receipts are not urgent: twice a day, re-reading the last two days (a message's date is when it was sent).
  cadenceMinutes: 12 * 60,
  lookbackHours: 48,
  backfillDays: GMAIL_LOOKBACK_DAYS,
  backfillJobDays: BACKFILL_JOB_DAYS,
  // The profile (for the first historyId), one list (or history) page and a `messages.get` per id; a busier month
  // runs out of budget and the engine splits the window.
  maxRequestsPerJob: 2 + LIST_PAGE_SIZE,
  pull: pullGmail,
  normalize: normalizeGmail,
};
