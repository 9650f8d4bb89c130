import { type DayUpdate, userHubFor } from "../../durable-objects/user-hub";
import { sendDayMessages } from "./messages";

/**
 * Sends the owed messages, then marks them sent in the person's UserHub. A failed send leaves them owed, so the
 * next recompute of those days, or the UserHub's alarm, sends them again: at least once, and a consumer dedupes by
 * (user, date, digest).
 */
export async function announceDays(env: Pick<Env, "USER_HUB" | "DAYS_QUEUE">, userId: string, updates: readonly DayUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await sendDayMessages(env.DAYS_QUEUE, userId, updates);
  await userHubFor(env, userId).daysAnnounced(
    userId,
    updates.map(({ date, digest }) => ({ date, digest })),
  );
}
