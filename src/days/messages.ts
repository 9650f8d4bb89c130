import type { DayUpdate } from "../../durable-objects/records/days";
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

/** Sends the messages for `updates`; throws when the queue refuses, and whoever called keeps them owed. */
export async function sendDayMessages(queue: Queue, userId: string, updates: readonly DayUpdate[]): Promise<void> {
  for (let i = 0; i < updates.length; i += BATCH_MESSAGES) {
    const batch = updates.slice(i, i + BATCH_MESSAGES).map((update): { body: DayUpdatedMessage; contentType: "json" } => ({
      body: { type: "day.updated", version: 1, user_id: userId, date: update.date, digest: update.digest, final: update.final, summary: update.summary },
      contentType: "json",
    }));
    await queue.sendBatch(batch);
  }
}
