import { z } from "zod";
import { SourceId } from "../domain/integration";

const Window = z.object({ start: z.number().int(), end: z.number().int() }).refine((w) => w.end > w.start, "window end must be after its start");

/** One pull of one window for one connection. Replaying it changes nothing: every write is an upsert. */
export const SyncJob = z.object({
  type: z.literal("sync"),
  connectionId: z.string().min(1),
  userId: z.string().min(1),
  source: SourceId,
  trigger: z.enum(["cron", "manual", "webhook", "backfill", "connect"]),
  window: Window,
  /** Only these kinds (a notification named them); all the source's kinds when absent. */
  kinds: z.array(z.string().min(1)).optional(),
  /**
   * `pull` the window, or (push-first providers) ask the provider to push it: `request_backfill`, or start/renew the
   * provider's watch (`watch`; the window is not read).
   */
  action: z.enum(["pull", "request_backfill", "watch"]).default("pull"),
  /** The sync_runs row this job reports to (created when the job is enqueued, so the UI can poll it). */
  runId: z.string().min(1),
});
export type SyncJob = z.input<typeof SyncJob>;

const PulledPage = z.object({ kind: z.string().min(1), body: z.unknown() });

/**
 * A verified provider notification, to be turned into work by the webhook consumer, which dedupes it by
 * (provider, event id): the endpoint writes nothing, so a redelivery is simply queued again.
 */
export const WebhookJob = z.object({
  type: z.literal("webhook"),
  source: SourceId,
  /**
   * The event was too large for a queue message: it waits in R2 (WEBHOOK_PAYLOADS) under this key, and `event`
   * holds its ids only.
   */
  payloadKey: z.string().min(1).max(512).optional(),
  event: z.object({
    eventId: z.string().min(1),
    externalUserId: z.string().min(1),
    window: Window.optional(),
    kinds: z.array(z.string().min(1)).optional(),
    pages: z.array(PulledPage).optional(),
    callbackUrl: z.url().optional(),
    callbackKind: z.string().min(1).optional(),
    deregistration: z.boolean().optional(),
  }),
});
export type WebhookJob = z.infer<typeof WebhookJob>;

export const QueueJob = z.discriminatedUnion("type", [SyncJob, WebhookJob]);
export type QueueJob = z.infer<typeof QueueJob>;
