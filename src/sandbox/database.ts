import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

type SandboxDatabase = DrizzleD1Database<typeof schema>;

const handles = new WeakMap<D1Database, SandboxDatabase>();

/** The development-only database; production's configuration has no DEV_DB, and no sandbox runs there. */
export function sandboxDatabase(env: Pick<Env, "DEV_DB">): SandboxDatabase {
  const d1 = env.DEV_DB;
  if (!d1) throw new Error("the sandbox needs the DEV_DB binding of the development configuration");
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    handles.set(d1, db);
  }
  return db;
}
