import { type ProviderSandbox, sandboxApi, sandboxBearer } from "../../sandbox/types";
import { SANDBOX_MESSAGES } from "./sandbox-mailbox";

/**
 * Gmail API v1 as the sandbox plays it: `users.getProfile`, `users.messages.list` (with the `after:`/`before:` of
 * the query honoured, `maxResults` and `pageToken` paging) and `users.messages.get` with `format=raw` (the message
 * base64url-encoded, as https://developers.google.com/gmail/api/reference/rest/v1/users.messages#Message
 * documents). The mailbox is the labelled corpus' receipts and look-alikes, received over the past months, so a
 * newcomer connecting Gmail offline sees receipts parsed and items waiting for review.
 */

const DAY_MS = 86_400_000;
const HISTORY_ID = 424242;

const api = sandboxApi();

api.use("/gmail/*", sandboxBearer("gmail"));

const mailboxAddress = (subject: string) => `${subject}@sandbox.gmail.test`;

api.get("/gmail/v1/users/me/profile", (c) => {
  const { subject } = c.get("access");
  return c.json({ emailAddress: mailboxAddress(subject), messagesTotal: 1204, threadsTotal: 987, historyId: String(HISTORY_ID) });
});

/** Message i arrived 9·i + 3 days ago: the mailbox spans about four months whatever today is. */
function mailbox(now: number) {
  return SANDBOX_MESSAGES.map((m, i) => ({ ...m, internalDate: now - (9 * i + 3) * DAY_MS, historyId: HISTORY_ID - i }));
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

api.get("/gmail/v1/users/me/messages", (c) => {
  const q = c.req.query("q") ?? "";
  const after = /after:(\d+)/.exec(q);
  const before = /before:(\d+)/.exec(q);
  const max = Math.min(500, Math.max(1, Number(c.req.query("maxResults") ?? 100) || 100));
  const offset = Number(c.req.query("pageToken") ?? 0) || 0;
  const matching = mailbox(Date.now()).filter(
    (m) => (!after || m.internalDate >= Number(after[1]) * 1000) && (!before || m.internalDate < Number(before[1]) * 1000),
  );
  const page = matching.slice(offset, offset + max);
  const next = offset + max < matching.length ? String(offset + max) : undefined;
  if (page.length === 0) return c.json({ resultSizeEstimate: 0 });
  return c.json({ messages: page.map((m) => ({ id: m.id, threadId: m.id })), nextPageToken: next, resultSizeEstimate: matching.length });
});

api.get("/gmail/v1/users/me/messages/:id", (c) => {
  const message = mailbox(Date.now()).find((m) => m.id === c.req.param("id"));
  if (!message) return c.json({ error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } }, 404);
  if (c.req.query("format") !== "raw") return c.json({ error: { code: 400, message: "the sandbox serves format=raw only", status: "INVALID_ARGUMENT" } }, 400);
  return c.json({
    id: message.id,
    threadId: message.id,
    labelIds: ["INBOX", "CATEGORY_PURCHASES"],
    snippet: "",
    historyId: String(message.historyId),
    internalDate: String(message.internalDate),
    sizeEstimate: message.raw.length,
    raw: base64url(message.raw),
  });
});

/** Older start ids than this are "too old" and answered 404, as Gmail does once its history is trimmed. */
const OLDEST_HISTORY_ID = HISTORY_ID - 10_000;

// users.history.list: records oldest first, each message added with its labels; `history` is omitted when empty.
// https://developers.google.com/gmail/api/reference/rest/v1/users.history/list
api.get("/gmail/v1/users/me/history", (c) => {
  const start = c.req.query("startHistoryId") ?? "";
  if (!/^\d+$/.test(start)) return c.json({ error: { code: 400, message: "Invalid startHistoryId", status: "INVALID_ARGUMENT" } }, 400);
  if (Number(start) < OLDEST_HISTORY_ID) return c.json({ error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } }, 404);
  const added = mailbox(Date.now())
    .filter((m) => m.historyId > Number(start))
    .sort((a, b) => a.historyId - b.historyId)
    .map((m) => {
      const message = { id: m.id, threadId: m.id, labelIds: ["INBOX", "CATEGORY_UPDATES"] };
      return { id: String(m.historyId), messages: [{ id: m.id, threadId: m.id }], messagesAdded: [{ message }] };
    });
  return c.json({ ...(added.length ? { history: added } : {}), historyId: String(HISTORY_ID) });
});

/**
 * The sandbox's watches, by mailbox address (as a push names it): what Gmail itself would be keeping (a watch per mailbox,
 * replaced by each `watch`, gone after `stop` or 7 days).
 */
export const sandboxWatches = new Map<string, { topicName: string; expiration: number }>();

// users.watch: 400 for a topic that is not projects/{project}/topics/{topic}; answers historyId and expiration (ms).
api.post("/gmail/v1/users/me/watch", async (c) => {
  const address = mailboxAddress(c.get("access").subject);
  const body = (await c.req.json().catch(() => ({}))) as { topicName?: unknown };
  if (typeof body.topicName !== "string" || !/^projects\/[^/]+\/topics\/[^/]+$/.test(body.topicName)) {
    return c.json({ error: { code: 400, message: "Invalid topicName does not match projects/*/topics/*", status: "INVALID_ARGUMENT" } }, 400);
  }
  const expiration = Date.now() + 7 * DAY_MS;
  sandboxWatches.set(address, { topicName: body.topicName, expiration });
  return c.json({ historyId: String(HISTORY_ID), expiration: String(expiration) });
});

// users.stop: an empty body.
api.post("/gmail/v1/users/me/stop", (c) => {
  sandboxWatches.delete(mailboxAddress(c.get("access").subject));
  return c.body(null, 204);
});

export const gmailSandbox: ProviderSandbox = {
  source: "gmail",
  hosts: ["gmail.googleapis.com"],
  accessTokenTtlSeconds: 3599,
  api,
};
