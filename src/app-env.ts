import type { D1Queryable, Database } from "./db/client";

export interface AppUser {
  id: string;
  email: string;
  displayName: string | null;
  accessSubject: string | null;
  via: "access" | "dev";
}

/** Hono's typing for this Worker: its bindings, and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    user: AppUser;
    csrfToken: string;
    /** Drizzle over `d1`. */
    db: Database;
    /** For a signed-in person, their D1 session (read-your-writes through the bookmark cookie); else the binding. */
    d1: D1Queryable;
    secureHeadersNonce?: string;
  };
}
