import { zValidator } from "@hono/zod-validator";
import { desc, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { userHubFor } from "../../durable-objects/user-hub";
import { IntegrationCard } from "../../views/card";
import { ConnectionDetail, DeleteDataModal } from "../../views/connection-detail";
import { GlucoseLive } from "../../views/glucose";
import { PhoneHandoffModal } from "../../views/phone-handoff";
import { DevicesPanel, SettingsPage } from "../../views/settings-page";
import type { AppEnv } from "../app-env";
import { getSourceConnections, listConnections } from "../db/connections";
import { syncRuns } from "../db/schema";
import { saveSuggestion } from "../db/users";
import { type CardState, cardState, cardStates, connectsPerSystem } from "../domain/card-state";
import { catalogEntry } from "../domain/catalog";
import { DeviceFilter, detailViewOf, SourceId } from "../domain/integration";
import { SuggestionInput } from "../domain/suggestion";
import { dexcomDelayMs } from "../providers/dexcom/auth";
import { provider } from "../providers/registry";

const RECORDS_UNAVAILABLE = "Your synced data cannot be read just now. Nothing was lost; please try again in a minute.";

import { HealthSystemModal, HealthSystemResults } from "../../views/health-systems";
import { ComingSoonModal, ConnectModal, DisconnectModal, SuggestForm, type SuggestionErrors, SuggestThanks } from "../../views/modals";
import { sourceMode } from "../domain/availability";
import { healthSystemDirectory } from "../providers/smart-fhir/health-systems";
import { searchSystems } from "../providers/smart-fhir/systems";
import { namedConnection, sourceTarget } from "./connection-target";
import { DETAIL_VIEWS, recordsUnavailable } from "./detail-views";
import { errorResponse } from "./errors";
import { healthRecordsCardSlots, healthRecordsSummary, showsHealthRecords } from "./health-records";
import { glucoseLive } from "./live-card";
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
    declined: SourceId.optional().catch(undefined),
  }),
);

function noticeFor(query: {
  connected?: SourceId | undefined;
  disconnected?: SourceId | undefined;
  deleted?: SourceId | undefined;
  declined?: SourceId | undefined;
}): string | undefined {
  if (query.connected) return `${catalogEntry(query.connected).name} is connected. Its first sync has started.`;
  if (query.disconnected) return `${catalogEntry(query.disconnected).name} is disconnected, and Wellness OS deleted its keys.`;
  if (query.deleted) return `The data synced from ${catalogEntry(query.deleted).name} was deleted.`;
  if (query.declined) return `${catalogEntry(query.declined).name} was not connected: you chose not to share it. You can connect it whenever you like.`;
  return undefined;
}

/** What a card shows between its head and its actions: a live source's stream, a records card's health systems. */
const cardSlots = (states: readonly CardState[], now: number, csrfToken: string) => ({
  ...glucoseLive(states),
  ...healthRecordsCardSlots(states, now, csrfToken),
});

export const settingsRoutes = new Hono<AppEnv>()
  // The settings page: one D1 query for the connections (a connected Dexcom's glucose arrives over its WebSocket),
  // no Durable Object call, no outbound fetch.
  .get("/", pageQuery, async (c) => {
    const { filter } = c.req.valid("query");
    const now = Date.now();
    const states = cardStates(await listConnections(c.get("d1"), c.get("user").id, now), c.env, now);
    const live = cardSlots(states, now, c.get("csrfToken"));
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
    return c.html(<DevicesPanel states={states} filter={filter} now={now} csrfToken={c.get("csrfToken")} live={cardSlots(states, now, c.get("csrfToken"))} />);
  })
  // One card, fresh: what a syncing card polls until its sync is done.
  .get("/cards/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const now = Date.now();
    const state = cardState(entry, await getSourceConnections(c.get("db"), c.get("user").id, entry.id, now), c.env, now);
    const live = cardSlots([state], now, c.get("csrfToken"));
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
    const { state, connection } = await sourceTarget(c, entry, namedConnection(c.req.query("connection")));
    if (state.status === "coming_soon") {
      return renderModal(c, entry.name, (inPage) => <ComingSoonModal state={state} inPage={inPage} />);
    }
    if (entry.connectMethod === "aggregator") {
      return renderModal(c, `Connect ${entry.name}`, (inPage) => <PhoneHandoffModal state={state} inPage={inPage} csrfToken={c.get("csrfToken")} />);
    }
    if (connectsPerSystem(entry)) {
      // Reconnecting names the system; connecting one more is choosing it from the directory or by its address.
      const reconnect = connection && connection.status !== "connected" && c.req.query("connection") ? connection : null;
      const query = (c.req.query("q") ?? "").slice(0, 100);
      const matches = state.mode === "unavailable" ? [] : searchSystems(healthSystemDirectory(entry.id, state.mode), query);
      return renderModal(c, `Connect ${entry.name}`, (inPage) => (
        <HealthSystemModal state={state} reconnect={reconnect} query={query} matches={matches} inPage={inPage} csrfToken={c.get("csrfToken")} />
      ));
    }
    return renderModal(c, `Connect ${entry.name}`, (inPage) => <ConnectModal state={state} inPage={inPage} />);
  })
  // The directory's matches for what the person typed (the health-system dialog's search, as they type).
  .get("/health-systems/:source", sourceParam, (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    if (!connectsPerSystem(entry)) return errorResponse(c, 404, `${entry.name} has no directory of health systems.`);
    const query = (c.req.query("q") ?? "").slice(0, 100);
    const mode = sourceMode(entry, c.env);
    const matches = mode === "unavailable" ? [] : searchSystems(healthSystemDirectory(entry.id, mode), query);
    return c.html(<HealthSystemResults entry={entry} query={query} matches={matches} csrfToken={c.get("csrfToken")} />);
  })
  .get("/disconnect/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const { state, connection } = await sourceTarget(c, entry, namedConnection(c.req.query("connection")));
    if (!connection || connection.status === "disconnected") {
      return errorResponse(c, 404, `${entry.name} is not connected.`);
    }
    return renderModal(c, `Disconnect ${connection.accountName ?? entry.name}`, (inPage) => (
      <DisconnectModal state={state} connection={connection} inPage={inPage} csrfToken={c.get("csrfToken")} />
    ));
  })
  // A connection's own kind of data (its catalog entry's detail view) and its recent syncs. A disconnected source's
  // page stays: its data is kept until the person deletes it.
  .get("/connections/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const db = c.get("db");
    const now = Date.now();
    const { state, connection } = await sourceTarget(c, entry, undefined, now);
    if (!connection) return errorResponse(c, 404, `${entry.name} is not connected.`);
    // A records card's runs are those of every one of its health systems.
    const runsOf = state.systems.length > 0 ? state.systems.map((row) => row.id) : [connection.id];
    const [view, runs] = await Promise.all([
      DETAIL_VIEWS[detailViewOf(entry)]({ c, state, now }),
      db.select().from(syncRuns).where(inArray(syncRuns.connectionId, runsOf)).orderBy(desc(syncRuns.startedAt)).limit(10),
    ]);
    const live = glucoseLive([state]);
    if (!view) return errorResponse(c, 503, RECORDS_UNAVAILABLE);
    return renderPage(
      c,
      entry.name,
      <ConnectionDetail
        state={state}
        charts={view.content}
        runs={runs}
        now={now}
        csrfToken={c.get("csrfToken")}
        live={cardSlots([state], now, c.get("csrfToken"))[entry.id]}
      />,
      200,
      { liveScripts: entry.id in live },
    );
  })
  // A health-records card's counts, loaded after the page.
  .get("/records-summary/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const { state, connection, missing } = await sourceTarget(c, entry, namedConnection(c.req.query("connection")));
    if (!showsHealthRecords(state)) return errorResponse(c, 404, `${entry.name} holds no health records.`);
    if (missing || !connection) return errorResponse(c, 404, `${entry.name} is not connected.`);
    return healthRecordsSummary(c, state, connection);
  })
  .get("/delete-data/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const { state } = await sourceTarget(c, entry, undefined);
    return renderModal(c, `Delete ${entry.name} data`, (inPage) => <DeleteDataModal state={state} inPage={inPage} csrfToken={c.get("csrfToken")} />);
  })
  .get("/coming-soon/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    return renderModal(c, entry.name, (inPage) => <ComingSoonModal state={cardState(entry, [], c.env)} inPage={inPage} />);
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
