// The sync consumer's structured line for each finished job (queues/sync-consumer.ts), read from `wrangler dev`'s
// output. The exact line, one JSON object per line (keys in this order; `runId` is read when present):
//   {"event":"sync_job_done","source":"oura","trigger":"backfill","status":"succeeded","written":210,"unchanged":0,
//    "skipped":0,"providerRequests":32,"d1RoundTrips":9}
// A job larger than one invocation's budget is split instead, and says so with {"event":"sync_job_split",...}.

export interface SyncJobDone {
  source: string;
  trigger: string;
  status: string;
  written: number;
  unchanged: number;
  skipped: number;
  providerRequests: number;
  d1RoundTrips: number;
  runId?: string;
}

export interface SyncJobSplit {
  source: string;
  trigger: string;
  hours: number;
}

function structuredLines(output: string, event: string): Record<string, unknown>[] {
  const marker = `{"event":"${event}"`;
  const found: Record<string, unknown>[] = [];
  for (const line of output.split(/\r?\n/)) {
    const at = line.indexOf(marker);
    if (at === -1) continue;
    try {
      found.push(JSON.parse(line.slice(at)) as Record<string, unknown>);
    } catch {
      // A line cut by the terminal or interleaved with another: not one of ours.
    }
  }
  return found;
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

export function syncJobsDone(output: string, filter: { source: string; trigger: string }): SyncJobDone[] {
  return structuredLines(output, "sync_job_done")
    .filter((line) => line.source === filter.source && line.trigger === filter.trigger)
    .filter((line) => isCount(line.written) && isCount(line.providerRequests) && isCount(line.d1RoundTrips))
    .map((line) => ({
      source: String(line.source),
      trigger: String(line.trigger),
      status: String(line.status),
      written: line.written as number,
      unchanged: isCount(line.unchanged) ? line.unchanged : 0,
      skipped: isCount(line.skipped) ? line.skipped : 0,
      providerRequests: line.providerRequests as number,
      d1RoundTrips: line.d1RoundTrips as number,
      ...(typeof line.runId === "string" ? { runId: line.runId } : {}),
    }));
}

export function syncJobsSplit(output: string, filter: { source: string; trigger: string }): SyncJobSplit[] {
  return structuredLines(output, "sync_job_split")
    .filter((line) => line.source === filter.source && line.trigger === filter.trigger)
    .map((line) => ({ source: String(line.source), trigger: String(line.trigger), hours: Number(line.hours) }));
}

/** One consumer invocation as miniflare reports it ("QUEUE wellness-sync 6/6 (1153ms)"), with our jobs in it. */
export interface ConsumerInvocation {
  acked: number;
  messages: number;
  ms: number;
  jobs: SyncJobDone[];
}

/**
 * Groups the finished jobs by the consumer invocation that ran them: the local queue broker delivers one batch of a
 * queue at a time and prints its line after the batch returns, so a job's line precedes its batch's line.
 */
export function consumerInvocations(output: string, queue: string, filter: { source: string; trigger: string }): ConsumerInvocation[] {
  const batchLine = new RegExp(`QUEUE ${queue.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} (\\d+)/(\\d+)(?: \\((\\d+)ms\\))?`);
  const invocations: ConsumerInvocation[] = [];
  let pending: SyncJobDone[] = [];
  // eslint-disable-next-line no-control-regex
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, "").split(/\r?\n/)) {
    const done = syncJobsDone(line, filter);
    if (done.length > 0) {
      pending.push(...done);
      continue;
    }
    const batch = batchLine.exec(line);
    if (!batch) continue;
    if (pending.length > 0) invocations.push({ acked: Number(batch[1]), messages: Number(batch[2]), ms: Number(batch[3] ?? NaN), jobs: pending });
    pending = [];
  }
  return invocations;
}
