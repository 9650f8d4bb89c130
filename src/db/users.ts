import { eq } from "drizzle-orm";
import { newId } from "../lib/ids";
import type { Database } from "./client";
import { deviceSuggestions, users } from "./schema";

export interface Identity {
  id: string;
  email: string;
  displayName: string | null;
  accessSubject: string | null;
}

/**
 * The statement that makes sure the user's row exists (idempotent), unexecuted so callers can batch it with the
 * first write that references the user: one D1 round trip instead of two.
 */
export function upsertUserStatement(db: Database, identity: Identity) {
  return db
    .insert(users)
    .values({ id: identity.id, email: identity.email, displayName: identity.displayName, accessSubject: identity.accessSubject })
    .onConflictDoNothing();
}

export async function ensureUser(db: Database, identity: Identity): Promise<void> {
  await upsertUserStatement(db, identity);
}

export interface NewSuggestion {
  deviceName: string;
  deviceType: string;
  note: string | null;
}

export async function saveSuggestion(db: Database, identity: Identity, suggestion: NewSuggestion): Promise<string> {
  const id = newId("sug");
  await db.batch([upsertUserStatement(db, identity), db.insert(deviceSuggestions).values({ id, userId: identity.id, ...suggestion })]);
  return id;
}

export type WeightUnit = "kg" | "lb";

/** The person's weight unit: what they chose, or kilograms (the unit records are kept in). */
export async function weightUnitOf(db: Database, userId: string): Promise<WeightUnit> {
  const [row] = await db.select({ weightUnit: users.weightUnit }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.weightUnit ?? "kg";
}

export async function saveWeightUnit(db: Database, identity: Identity, unit: WeightUnit): Promise<void> {
  await db.batch([upsertUserStatement(db, identity), db.update(users).set({ weightUnit: unit }).where(eq(users.id, identity.id))]);
}
