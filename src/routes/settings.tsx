import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { getConnection, listConnections } from "../db/connections";
import { saveSuggestion } from "../db/users";
import { cardState, cardStates } from "../domain/card-state";
import { catalogEntry } from "../domain/catalog";
import { DeviceFilter, SourceId } from "../domain/integration";
import { SuggestionInput } from "../domain/suggestion";
import { DevicesPanel, SettingsPage } from "../../views/settings-page";
import { ComingSoonModal, ConnectModal, DisconnectModal, SuggestForm, SuggestThanks, type SuggestionErrors } from "../../views/modals";
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

export const settingsRoutes = new Hono<AppEnv>()
  // The settings page: one D1 query (the user's connections), no Durable Object call, no outbound fetch.
  .get("/", pageQuery, async (c) => {
    const { filter } = c.req.valid("query");
    const states = cardStates(await listConnections(c.get("db"), c.get("user").id), c.env);
    const notice = noticeFor(c.req.valid("query"));
    return renderPage(c, "Integrations", <SettingsPage states={states} filter={filter} now={Date.now()} notice={notice} />);
  })
  .get("/devices", filterQuery, async (c) => {
    const { filter } = c.req.valid("query");
    const states = cardStates(await listConnections(c.get("db"), c.get("user").id), c.env);
    return c.html(<DevicesPanel states={states} filter={filter} now={Date.now()} />);
  })
  .get("/connect/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    const state = cardState(entry, (await getConnection(c.get("db"), c.get("user").id, entry.id)) ?? null, c.env);
    if (state.status === "coming_soon") {
      return renderModal(c, entry.name, (inPage) => <ComingSoonModal state={state} inPage={inPage} />);
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
    return renderModal(c, `Disconnect ${entry.name}`, (inPage) => (
      <DisconnectModal state={state} inPage={inPage} csrfToken={c.get("csrfToken")} />
    ));
  })
  .get("/coming-soon/:source", sourceParam, async (c) => {
    const entry = catalogEntry(c.req.valid("param").source);
    return renderModal(c, entry.name, (inPage) => <ComingSoonModal state={cardState(entry, null, c.env)} inPage={inPage} />);
  })
  .get("/suggest", (c) =>
    renderModal(c, "Suggest a device", (inPage) => <SuggestForm inPage={inPage} csrfToken={c.get("csrfToken")} />),
  )
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
        (inPage) => (
          <SuggestForm inPage={inPage} csrfToken={c.get("csrfToken")} values={values as Record<string, string>} errors={errors} />
        ),
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
