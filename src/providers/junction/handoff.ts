import { and, eq, isNull, lt } from "drizzle-orm";
import type { Database } from "../../db/client";
import { junctionHandoffs } from "../../db/schema";
import type { SourceId } from "../../domain/integration";
import { randomToken, sha256Hex } from "../../lib/encoding";

/** How long a code shown on the settings page can be used from the phone. */
export const HANDOFF_TTL_MS = 10 * 60_000;

export interface Handoff {
  /** Shown once (QR and link); only its SHA-256 is stored. */
  code: string;
  expiresAt: number;
}

/** A new one-time code for this person and source; codes already past their expiry are swept on the way. */
export async function createHandoff(db: Database, userId: string, source: SourceId, now: number): Promise<Handoff> {
  const code = randomToken(32);
  const expiresAt = now + HANDOFF_TTL_MS;
  await db.batch([
    db.delete(junctionHandoffs).where(and(eq(junctionHandoffs.userId, userId), lt(junctionHandoffs.expiresAt, now))),
    db.insert(junctionHandoffs).values({ codeHash: await sha256Hex(code), userId, sourceId: source, expiresAt }),
  ]);
  return { code, expiresAt };
}

export type Redemption = { ok: true; source: SourceId } | { ok: false; reason: "unknown" | "expired" | "used" | "other_person" };

/**
 * Spends a code for the signed-in person: one statement marks it used only if it is theirs, unused and unexpired, so
 * two phones racing with one code cannot both succeed. A failure says why, without spending another person's code.
 */
export async function redeemHandoff(db: Database, userId: string, code: string, now: number): Promise<Redemption> {
  const codeHash = await sha256Hex(code);
  const [spent] = await db
    .update(junctionHandoffs)
    .set({ usedAt: now })
    .where(and(eq(junctionHandoffs.codeHash, codeHash), eq(junctionHandoffs.userId, userId), isNull(junctionHandoffs.usedAt)))
    .returning();
  if (spent) {
    // Expired codes are spent too (a code is never good twice), but refused.
    if (spent.expiresAt <= now) return { ok: false, reason: "expired" };
    return { ok: true, source: spent.sourceId as SourceId };
  }
  const [row] = await db.select().from(junctionHandoffs).where(eq(junctionHandoffs.codeHash, codeHash)).limit(1);
  if (!row) return { ok: false, reason: "unknown" };
  if (row.userId !== userId) return { ok: false, reason: "other_person" };
  return { ok: false, reason: row.expiresAt <= now ? "expired" : "used" };
}
