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
  /** `pull` the window, or (push-first providers) ask the provider to push it: `request_backfill`. */
  action: z.enum(["pull", "request_backfill"]).default("pull"),
  /** The sync_runs row this job reports to (created when the job is enqueued, so the UI can poll it). */
  runId: z.string().min(1),
});
export type SyncJob = z.input<typeof SyncJob>;

const PulledPage = z.object({ kind: z.string().min(1), body: z.unknown() });

/** A verified, deduplicated provider notification, to be turned into work by the webhook consumer. */
export const WebhookJob = z.object({
  type: z.literal("webhook"),
  source: SourceId,
  webhookEventId: z.string().min(1),
  /** The event is in webhook_events.payload because it was too large for a message; `event` holds its ids only. */
  storedPayload: z.boolean().optional(),
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
