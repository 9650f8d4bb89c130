import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { junctionUsers } from "../../db/schema";
import type { ConnectionMode } from "../calls";
import type { JunctionClient } from "./api";

export interface JunctionPerson {
  userId: string;
  junctionUserId: string;
  mode: ConnectionMode;
}

/**
 * The person's Junction user, created on first need (`client_user_id` = our user id). Two requests racing here both
 * reach Junction, which keeps one user per client_user_id (the second create is answered by resolving it), and the
 * insert-or-ignore keeps the first id stored.
 */
export async function ensureJunctionUser(db: Database, client: JunctionClient, userId: string, mode: ConnectionMode): Promise<JunctionPerson> {
  const [known] = await db.select().from(junctionUsers).where(eq(junctionUsers.userId, userId)).limit(1);
  if (known) return { userId, junctionUserId: known.junctionUserId, mode: known.mode };
  const junctionUserId = await client.createUser(userId);
  await db.insert(junctionUsers).values({ userId, junctionUserId, mode }).onConflictDoNothing();
  const [stored] = await db.select().from(junctionUsers).where(eq(junctionUsers.userId, userId)).limit(1);
  return { userId, junctionUserId: stored?.junctionUserId ?? junctionUserId, mode: stored?.mode ?? mode };
}

/** Whose Junction user this is; null for a Junction user we never made (another deployment's, or deleted). */
export async function personForJunctionUser(db: Database, junctionUserId: string): Promise<JunctionPerson | null> {
  const [row] = await db.select().from(junctionUsers).where(eq(junctionUsers.junctionUserId, junctionUserId)).limit(1);
  return row ? { userId: row.userId, junctionUserId: row.junctionUserId, mode: row.mode } : null;
}
