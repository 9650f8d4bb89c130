import { DurableObject } from "cloudflare:workers";

/** One per user: the token vault and, for Dexcom, the live glucose stream. */
export class UserHub extends DurableObject<Env> {}
