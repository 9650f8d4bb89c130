import type { Database } from "./db/client";

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
    db: Database;
    secureHeadersNonce?: string;
  };
}
