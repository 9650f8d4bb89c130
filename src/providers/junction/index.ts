import type { WebhookSpec } from "../types";
import { consumeJunctionEvent } from "./consume";
import { junctionWebhook } from "./webhook";

/**
 * Junction's one webhook endpoint (/webhooks/junction) serves every source reached through it; whichever adapter
 * the route finds it on, the event's own source slug decides the card (src/providers/junction/consume.ts).
 */
export const junctionEvents: WebhookSpec = { ...junctionWebhook, consume: consumeJunctionEvent };
