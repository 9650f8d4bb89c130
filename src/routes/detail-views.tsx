import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { userHubFor } from "../../durable-objects/user-hub";
import { WearableCharts } from "../../views/connection-detail";
import { GlucoseDay, GlucoseStatsTable } from "../../views/glucose-detail";
import { ReceiptsSummary } from "../../views/receipts-detail";
import type { AppEnv } from "../app-env";
import type { CardState } from "../domain/card-state";
import { dailySummaries, SUMMARY_KINDS } from "../domain/daily-summary";
import type { DetailView } from "../domain/integration";
import { listPurchases, listReceipts } from "../purchases/read";
import { bodyCharts } from "./body-detail";
import { healthRecordsSection } from "./health-records";
import { personTimeZone } from "./time-zone";

export const DETAIL_DAYS = 14;

export interface DetailInput {
  c: Context<AppEnv>;
  state: CardState;
  now: number;
}

/** A view's part of the detail page, or null when the person's UserHub could not answer (the page says so, 503). */
export type DetailContent = { content: Child } | null;

/** The person's UserHub could not answer a read (logged by class only). */
export function recordsUnavailable(error: unknown): null {
  console.error(JSON.stringify({ event: "records_unavailable", name: error instanceof Error ? error.name : typeof error }));
  return null;
}

async function dailyCharts({ c, state, now }: DetailInput): Promise<DetailContent> {
  const user = c.get("user");
  const records = await userHubFor(c.env, user.id)
    .recordsSince(user.id, state.entry.id, SUMMARY_KINDS, now - (DETAIL_DAYS + 1) * 86_400_000)
    .catch(recordsUnavailable);
  if (!records) return null;
  return { content: <WearableCharts readinessLabel={state.entry.readinessLabel} days={dailySummaries(records, DETAIL_DAYS, now)} /> };
}

async function glucose({ c, now }: DetailInput): Promise<DetailContent> {
  const user = c.get("user");
  const hub = userHubFor(c.env, user.id);
  const [points, stats] = await Promise.all([
    hub.latestGlucose(user.id, 24 * 3_600_000, 400).catch(recordsUnavailable),
    hub.glucoseStats(user.id, now - DETAIL_DAYS * 86_400_000, now).catch(recordsUnavailable),
  ]);
  if (!points || !stats) return null;
  return {
    content: (
      <>
        <h2>Glucose</h2>
        <GlucoseDay points={points} end={points.at(-1)?.time ?? now} timeZone={personTimeZone(c)} />
        <GlucoseStatsTable stats={stats} days={DETAIL_DAYS} />
      </>
    ),
  };
}

/**
 * Each detail view's loader. A source's view comes from its catalog entry (`detailViewOf`); a new kind of data
 * adds its view here with one line.
 */
export const DETAIL_VIEWS: Record<DetailView, (input: DetailInput) => Promise<DetailContent>> = {
  "daily-charts": dailyCharts,
  glucose,
  body: async ({ c, state, now }) => {
    const content = await bodyCharts(c, state.entry, now, state.connection?.mode === "sandbox");
    return content ? { content } : null;
  },
  "health-records": async ({ c, state }) => {
    const content = await healthRecordsSection(c, state);
    return content ? { content } : null;
  },
  receipts: async ({ c }) => {
    const user = c.get("user");
    const found = await Promise.all([listReceipts(c.env, user.id), listPurchases(c.env, user.id)]).catch(recordsUnavailable);
    return found ? { content: <ReceiptsSummary receipts={found[0]} purchases={found[1].purchases} /> } : null;
  },
};
