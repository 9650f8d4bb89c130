// The Worker's own account of each queue batch, read from `wrangler dev`'s output: `queue_batch_cost` (src/index.ts:
// wall time and D1 statements / rows read / rows written of one consumer invocation) and, for the sync queue, whose
// batches hold one job, the job's `sync_job_done` line logged just before it in the same invocation.

export interface BatchCost {
  queue: string;
  messages: number;
  ms: number;
  d1Statements: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  /** The job the batch ran (sync queue only), when it finished as `done`. */
  job?: {
    source: string;
    trigger: string;
    status: string;
    written: number;
    inserted: number | null;
    unchanged: number;
    skipped: number;
    providerRequests: number;
  };
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

function jsonAt(line: string, event: string): Record<string, unknown> | null {
  const at = line.indexOf(`{"event":"${event}"`);
  if (at === -1) return null;
  try {
    return JSON.parse(line.slice(at)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function batchCosts(output: string): BatchCost[] {
  const costs: BatchCost[] = [];
  let lastDone: BatchCost["job"] | undefined;
  // eslint-disable-next-line no-control-regex
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, "").split(/\r?\n/)) {
    const done = jsonAt(line, "sync_job_done");
    if (done) {
      lastDone = {
        source: String(done.source),
        trigger: String(done.trigger),
        status: String(done.status),
        written: Number(done.written) || 0,
        // New records, as opposed to written = new or changed (a score that arrived since the last pull).
        inserted: isCount(done.inserted) ? done.inserted : null,
        unchanged: Number(done.unchanged) || 0,
        skipped: Number(done.skipped) || 0,
        providerRequests: Number(done.providerRequests) || 0,
      };
      continue;
    }
    const cost = jsonAt(line, "queue_batch_cost");
    if (!cost || !isCount(cost.ms) || !isCount(cost.d1Statements)) continue;
    const batch: BatchCost = {
      queue: String(cost.queue),
      messages: Number(cost.messages) || 0,
      ms: cost.ms,
      d1Statements: cost.d1Statements,
      d1RowsRead: Number(cost.d1RowsRead) || 0,
      d1RowsWritten: Number(cost.d1RowsWritten) || 0,
    };
    if (batch.queue === "wellness-sync") {
      if (lastDone) batch.job = lastDone;
      lastDone = undefined;
    }
    costs.push(batch);
  }
  return costs;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
export const mean = (values: readonly number[]) => (values.length === 0 ? NaN : sum(values) / values.length);
