import { type DayUpdate, userHubFor } from "../../durable-objects/user-hub";
import type { DaySummary } from "./picture";

/**
 * The "day updated" message other Wellness OS services consume from the `wellness-days` queue (docs/api.md):
 * sent when a day's summary or bonus changed (a recompute that changes nothing sends nothing), and once more when
 * the day becomes final.
 */
export interface DayUpdatedMessage {
  type: "day.updated";
  version: 1;
  user_id: string;
  date: string;
  /** Changes whenever the summary does: a consumer that saw this digest already may skip the message. */
  digest: string;
  final: boolean;
  summary: DaySummary;
}

/** Queue sendBatch limits: 100 messages and 256 KB a batch; a summary is a few KB. */
const BATCH_MESSAGES = 50;

/**
 * Sends the owed messages, then marks them sent in the person's UserHub. A failed send leaves them owed, so the
 * next recompute of those days sends them again: at least once, and a consumer dedupes by (user, date, digest).
 */
export async function announceDays(env: Pick<Env, "USER_HUB" | "DAYS_QUEUE">, userId: string, updates: readonly DayUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  for (let i = 0; i < updates.length; i += BATCH_MESSAGES) {
    const batch = updates.slice(i, i + BATCH_MESSAGES).map((update): { body: DayUpdatedMessage; contentType: "json" } => ({
      body: { type: "day.updated", version: 1, user_id: userId, date: update.date, digest: update.digest, final: update.final, summary: update.summary },
      contentType: "json",
    }));
    await env.DAYS_QUEUE.sendBatch(batch);
  }
  await userHubFor(env, userId).daysAnnounced(
    userId,
    updates.map(({ date, digest }) => ({ date, digest })),
  );
}
