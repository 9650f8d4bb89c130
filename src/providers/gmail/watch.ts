import type { PullContext, WatchSpec } from "../types";

// https://developers.google.com/gmail/api/reference/rest/v1/users/watch and .../users/stop
const WATCH_ENDPOINT = "https://gmail.googleapis.com/gmail/v1/users/me/watch";
const STOP_ENDPOINT = "https://gmail.googleapis.com/gmail/v1/users/me/stop";

/**
 * Gmail publishes a notification to our Pub/Sub topic when the mailbox changes, for 7 days after each `watch`.
 * INBOX only: receipts arrive there, and sent mail or drafts would only wake the pull for nothing.
 */
async function startWatch(ctx: PullContext): Promise<boolean> {
  const topicName = ctx.env.GMAIL_PUBSUB_TOPIC;
  if (!topicName) return false;
  const response = await ctx.request(WATCH_ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ topicName, labelIds: ["INBOX"], labelFilterBehavior: "INCLUDE" }),
  });
  await response.body?.cancel();
  return true;
}

async function stopWatch(ctx: PullContext): Promise<void> {
  const response = await ctx.request(STOP_ENDPOINT, { method: "POST" });
  await response.body?.cancel();
}

export const gmailWatch: WatchSpec = { start: startWatch, stop: stopWatch };
