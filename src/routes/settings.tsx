import { zValidator } from "@hono/zod-validator";
import { desc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import { userHubFor } from "../../durable-objects/user-hub";
import { IntegrationCard } from "../../views/card";
import { ConnectionDetail, DeleteDataModal, WearableCharts } from "../../views/connection-detail";
import { GlucoseLive } from "../../views/glucose";
import { GlucoseDay, GlucoseStatsTable } from "../../views/glucose-detail";
import { PhoneHandoffModal } from "../../views/phone-handoff";
import { DevicesPanel, SettingsPage } from "../../views/settings-page";
import type { AppEnv } from "../app-env";
import { getConnection, listConnections } from "../db/connections";
import { syncRuns } from "../db/schema";
import { saveSuggestion } from "../db/users";
import type { CardState } from "../domain/card-state";
import { cardState, cardStates } from "../domain/card-state";
import { catalogEntry } from "../domain/catalog";
import { dailySummaries, SUMMARY_KINDS } from "../domain/daily-summary";
import { DeviceFilter, SourceId } from "../domain/integration";
import { SuggestionInput } from "../domain/suggestion";
import { dexcomDelayMs } from "../providers/dexcom/auth";
import { provider } from "../providers/registry";

const DETAIL_DAYS = 14;
const RECORDS_UNAVAILABLE = "Your synced data cannot be read just now. Nothing was lost; please try again in a minute.";

/** The person's UserHub could not answer a read (logged by class only): the page says so with a 503. */
function recordsUnavailable(error: unknown): null {
  console.error(JSON.stringify({ event: "records_unavailable", name: error instanceof Error ? error.name : typeof error }));
  return null;
}

import { ComingSoonModal, ConnectModal, DisconnectModal, SuggestForm, type SuggestionErrors, SuggestThanks } from "../../views/modals";
import { bodyCharts } from "./body-detail";
import { errorResponse } from "./errors";
import { renderModal, renderPage } from "./render";
import { sourceParam } from "./source-param";

const filterQuery = zValidator("query", z.object({ filter: DeviceFilter.catch("all").default("all") }));

// After a full-page action (no JavaScript, or the OAuth callback), the page says what just happened.
const pageQuery = zValidator(
  "query",
  z.object({
    filter: DeviceFilter.catch("all").default("all"),
    connected: SourceId.optional().catch(undefined),
    disconnected: SourceId.optional().catch(undefined),
    deleted: SourceId.optional().catch(undefined),
  }),
);

function noticeFor(query: { connected?: SourceId | undefined; disconnected?: SourceId | undefined; deleted?: SourceId | undefined }): string | undefined {
  if (query.connected) return `${catalogEntry(query.connected).name} is connected. Its first sync has started.`;
  if (query.disconnected) return `${catalogEntry(query.disconnected).name} is disconnected, and Wellness OS deleted its keys.`;
  if (query.deleted) return `The data synced from ${catalogEntry(query.deleted).name} was deleted.`;
  return undefined;
}

/**
 * The Dexcom card's live view. The readings live in the person's Durable Object, which the settings page does not
 * call (one D1 query, no outbound fetch): the WebSocket to the object sends the current readings as it opens and
 * each new one after; the fragment route fills it on load and every few minutes where WebSockets are unavailable.
 * Without JavaScript the card links to the connection's page, which shows the readings.
 */
async function glucoseLive(_c: Context<AppEnv>, states: CardState[], _now: number): Promise<Partial<Record<string, Child>>> {
  const streaming = states.find((s) => provider(s.entry.id).live);
  if (!streaming || (streaming.status !== "connected" && streaming.status !== "error")) return {};
  const id = streaming.entry.id;
  return {
    [id]: (
      <div class="live">
        <div id={`${id}-live`} hx-ws:connect={`/live/${id}`} hx-swap="innerHTML">
          <div class="glucose" id="glucose-live">
            <p class="meta">
              <a href={`/settings/connections/${id}`}>See your latest readings</a>
            </p>
          </div>
        </div>
        <span hx-get={`/settings/live/${id}`} hx-trigger="load, every 300s" hx-target={`#${id}-live`} hx-swap="innerHTML" hidden></span>
      </div>
    ),
  };
}

export const settingsRoutes = new Hono<AppEnv>()
  // The settings page: one D1 query for the connections (a connected Dexcom's glucose arrives over its WebSocket),
  // no Durable Object call, no outbound fetch.
  .get("/", pageQuery, async (c) => {
    const { filter } = c.req.valid("query");
    const now = Date.now();
    const states = cardStates(await listConnections(c.get("d1"), c.get("user").id, now), c.env, now);
    const live = await glucoseLive(c, states, now);
    const notice = noticeFor(c.req.valid("query"));
    return renderPage(
      c,
      "Integrations",
      <SettingsPage states={states} filter={filter} now={now} notice={notice} csrfToken={c.get("csrfToken")} live={live} />,
      200,
      { liveScripts: Object.keys(live).length > 0 },
    );
  })
  .get("/devices", filterQuery, async (c) => {
    const { filter } = c.req.valid("query");
    const now = Date.now();
    const states = cardStates(await listConnections(c.get("d1"), c.get("user").id, now), c.env, now);
    return c.html(<DevicesPanel states={states} filter={filter} now={now} csrfToken={c.get("csrfToken")} live={await glucoseLive(c, states, now)} />);
  })
  // One card, fresh: what a syncing card polls until its sync is done.
  .get("/cards/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const now = Date.now();
    const state = cardState(entry, (await getConnection(c.get("db"), c.get("user").id, entry.id)) ?? null, c.env, now);
    const live = await glucoseLive(c, [state], now);
    return c.html(<IntegrationCard state={state} now={now} csrfToken={c.get("csrfToken")} live={live[entry.id]} />);
  })
  // The live view alone: the live card's polling fallback.
  .get("/live/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    if (!provider(entry.id).live) return errorResponse(c, 404, `${entry.name} has no live view.`);
    const now = Date.now();
    const user = c.get("user");
    const points = await userHubFor(c.env, user.id).latestGlucose(user.id).catch(recordsUnavailable);
    if (!points) return errorResponse(c, 503, RECORDS_UNAVAILABLE);
    return c.html(<GlucoseLive points={points} now={now} delayMs={dexcomDelayMs(c.env)} />);
  })
  .get("/connect/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const state = cardState(entry, (await getConnection(c.get("db"), c.get("user").id, entry.id)) ?? null, c.env);
    if (state.status === "coming_soon") {
      return renderModal(c, entry.name, (inPage) => <ComingSoonModal state={state} inPage={inPage} />);
    }
    if (entry.connectMethod === "aggregator") {
      return renderModal(c, `Connect ${entry.name}`, (inPage) => <PhoneHandoffModal state={state} inPage={inPage} csrfToken={c.get("csrfToken")} />);
    }
    return renderModal(c, `Connect ${entry.name}`, (inPage) => <ConnectModal state={state} inPage={inPage} />);
  })
  .get("/disconnect/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const connection = await getConnection(c.get("db"), c.get("user").id, entry.id);
    if (!connection || connection.status === "disconnected") {
      return errorResponse(c, 404, `${entry.name} is not connected.`);
    }
    const state = cardState(entry, connection, c.env);
    return renderModal(c, `Disconnect ${entry.name}`, (inPage) => <DisconnectModal state={state} inPage={inPage} csrfToken={c.get("csrfToken")} />);
  })
  // A connection's last 14 days and its recent syncs.
  .get("/connections/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const db = c.get("db");
    const user = c.get("user");
    const connection = await getConnection(db, user.id, entry.id);
    if (!connection) return errorResponse(c, 404, `${entry.name} is not connected.`);
    const now = Date.now();
    const hub = userHubFor(c.env, user.id);
    const [records, runs] = await Promise.all([
      hub.recordsSince(user.id, entry.id, SUMMARY_KINDS, now - (DETAIL_DAYS + 1) * 86_400_000).catch(recordsUnavailable),
      db.select().from(syncRuns).where(eq(syncRuns.connectionId, connection.id)).orderBy(desc(syncRuns.startedAt)).limit(10),
    ]);
    if (!records) return errorResponse(c, 503, RECORDS_UNAVAILABLE);
    const state = cardState(entry, connection, c.env, now);
    if (provider(entry.id).live) {
      const [points, stats] = await Promise.all([
        hub.latestGlucose(user.id, 24 * 3_600_000, 400).catch(recordsUnavailable),
        hub.glucoseStats(user.id, now - DETAIL_DAYS * 86_400_000, now).catch(recordsUnavailable),
      ]);
      if (!points || !stats) return errorResponse(c, 503, RECORDS_UNAVAILABLE);
      const charts = (
        <>
          <h2>Glucose</h2>
          <GlucoseDay points={points} end={points.at(-1)?.time ?? now} />
          <GlucoseStatsTable stats={stats} days={DETAIL_DAYS} />
        </>
      );
      const live = await glucoseLive(c, [state], now);
      return renderPage(
        c,
        entry.name,
        <ConnectionDetail state={state} charts={charts} runs={runs} now={now} csrfToken={c.get("csrfToken")} live={live[entry.id]} />,
        200,
        { liveScripts: entry.id in live },
      );
    }
    if (entry.type === "scale") {
      const body = await bodyCharts(c, entry, now, connection.mode === "sandbox");
      if (!body) return errorResponse(c, 503, RECORDS_UNAVAILABLE);
      return renderPage(c, entry.name, <ConnectionDetail state={state} charts={body} runs={runs} now={now} csrfToken={c.get("csrfToken")} />);
    }
    const charts = <WearableCharts readinessLabel={entry.readinessLabel} days={dailySummaries(records, DETAIL_DAYS, now)} />;
    return renderPage(c, entry.name, <ConnectionDetail state={state} charts={charts} runs={runs} now={now} csrfToken={c.get("csrfToken")} />);
  })
  .get("/delete-data/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const state = cardState(entry, (await getConnection(c.get("db"), c.get("user").id, entry.id)) ?? null, c.env);
    return renderModal(c, `Delete ${entry.name} data`, (inPage) => <DeleteDataModal state={state} inPage={inPage} csrfToken={c.get("csrfToken")} />);
  })
  .get("/coming-soon/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    return renderModal(c, entry.name, (inPage) => <ComingSoonModal state={cardState(entry, null, c.env)} inPage={inPage} />);
  })
  .get("/suggest", (c) => renderModal(c, "Suggest a device", (inPage) => <SuggestForm inPage={inPage} csrfToken={c.get("csrfToken")} />))
  .post("/suggestions", async (c) => {
    const form = await c.req.parseBody();
    const values = {
      name: typeof form.name === "string" ? form.name : undefined,
      type: typeof form.type === "string" ? form.type : undefined,
      note: typeof form.note === "string" ? form.note : undefined,
    };
    const parsed = SuggestionInput.safeParse(values);
    if (!parsed.success) {
      const errors: SuggestionErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as keyof SuggestionErrors;
        errors[field] ??= issue.message;
      }
      return renderModal(
        c,
        "Suggest a device",
        (inPage) => <SuggestForm inPage={inPage} csrfToken={c.get("csrfToken")} values={values as Record<string, string>} errors={errors} />,
        422,
      );
    }
    await saveSuggestion(c.get("db"), c.get("user"), {
      deviceName: parsed.data.name,
      deviceType: parsed.data.type,
      note: parsed.data.note,
    });
    return renderModal(c, "Thank you", (inPage) => <SuggestThanks inPage={inPage} name={parsed.data.name} />);
  });
