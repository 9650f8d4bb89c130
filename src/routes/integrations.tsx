import { type Context, Hono } from "hono";
import { z } from "zod";
import { userHubFor } from "../../durable-objects/user-hub";
import { IntegrationCard } from "../../views/card";
import { ModalNotice } from "../../views/modals";
import { ConnectedCount, SectionCount } from "../../views/settings-page";
import type { AppEnv } from "../app-env";
import { disconnect } from "../connections/disconnect";
import { connectStatement, getSourceConnections, listConnections, resetSyncCursor } from "../db/connections";
import { consents } from "../db/schema";
import { upsertUserStatement } from "../db/users";
import { sourceMode } from "../domain/availability";
import { cardStates, connectsPerSystem } from "../domain/card-state";
import { catalogEntry } from "../domain/catalog";
import type { CatalogEntry, SourceId } from "../domain/integration";
import { newId } from "../lib/ids";
import { bindToBrowser, forgetBinding, fromBoundBrowser } from "../oauth/browser-binding";
import { createAuthorization, type EngineOptions, exchangeCode, resolveOAuthClient } from "../oauth/engine";
import { OAuth2RequestError, ProviderUnavailableError, safeErrorCode, TokenResponseError } from "../oauth/errors";
import { discoverSmartConfiguration } from "../oauth/smart-discovery";
import { type ConnectionMode, providerFetch } from "../providers/calls";
import { provider } from "../providers/registry";
import { accountFor, healthSystemAt } from "../providers/smart-fhir/health-systems";
import { type HealthSystem, normalizeFhirBase } from "../providers/smart-fhir/systems";
import type { TokenSet } from "../providers/types";
import { enqueueInitialSync, enqueueSyncJobs, firstScheduledSync, jobsFor, readCursor, scheduledWindow } from "../sync/schedule";
import { namedConnection, sourceTarget } from "./connection-target";
import { errorResponse } from "./errors";
import { healthRecordsCardSlots } from "./health-records";
import { isHtmx } from "./render";
import { sourceParam } from "./source-param";

const CallbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});

/** What went wrong with a provider, said so a person knows what happened and that nothing changed. */
function providerFailure(c: Context<AppEnv>, entry: CatalogEntry, error: unknown) {
  if (error instanceof OAuth2RequestError) {
    const code = safeErrorCode(error.code);
    return errorResponse(
      c,
      400,
      `${entry.vendor} did not accept the authorization${code ? ` (${code})` : ""}; it may have expired. Nothing was connected. Start again from Connect.`,
    );
  }
  if (error instanceof ProviderUnavailableError) {
    if (error.reason === "timeout")
      return errorResponse(c, 504, `${entry.vendor} took too long to answer. Nothing was connected; please try again in a few minutes.`);
    return errorResponse(c, 502, `${entry.vendor} had a problem finishing the connection. Nothing was connected; please try again in a few minutes.`);
  }
  if (error instanceof TokenResponseError) {
    return errorResponse(
      c,
      502,
      `${entry.vendor} answered without the access Wellness OS needs (no ${error.missing.replaceAll("_", " ")}). Nothing was connected.`,
    );
  }
  throw error;
}

async function connectionPartials(c: Context<AppEnv>, source: SourceId, title: string, message: string) {
  const states = cardStates(await listConnections(c.get("d1"), c.get("user").id), c.env);
  const state = states.find((s) => s.entry.id === source)!;
  const now = Date.now();
  // htmx 4 partials: each lands at its own target; no main swap.
  return c.html(
    <>
      <hx-partial hx-target={`#card-${source}`} hx-swap="outerHTML">
        <IntegrationCard state={state} now={now} csrfToken={c.get("csrfToken")} live={healthRecordsCardSlots([state], now, c.get("csrfToken"))[source]} />
      </hx-partial>
      <hx-partial hx-target="#connected-count" hx-swap="outerHTML">
        <ConnectedCount states={states} />
      </hx-partial>
      <hx-partial hx-target={`#section-count-${state.entry.section}`} hx-swap="outerHTML">
        <SectionCount section={state.entry.section} states={states} />
      </hx-partial>
      <hx-partial hx-target="#modal-body" hx-swap="innerHTML">
        <ModalNotice inPage={false} title={title}>
          {message}
        </ModalNotice>
      </hx-partial>
    </>,
  );
}

/** The person's UserHub could not delete their records (logged by class only); the person is told to retry. */
function deleteFailed(error: unknown): null {
  console.error(JSON.stringify({ event: "records_delete_failed", name: error instanceof Error ? error.name : typeof error }));
  return null;
}

/**
 * Starts an authorization: a pending state bound to this person's object and browser, then off to the provider's
 * consent page. `system` is the health system a SMART connection is for (null: the deployment's own).
 */
async function beginConnect(
  c: Context<AppEnv>,
  entry: CatalogEntry,
  mode: ConnectionMode,
  system: HealthSystem | null,
  status: 302 | 303,
  engine: EngineOptions,
) {
  let authorization: ReturnType<typeof createAuthorization>;
  try {
    const client = await resolveOAuthClient(entry.id, c.env, mode, system ? { ...engine, fhirBase: system.fhirBase } : engine);
    authorization = createAuthorization(client);
  } catch (error) {
    return providerFailure(c, entry, error);
  }
  const user = c.get("user");
  await userHubFor(c.env, user.id).beginAuthorization(user.id, authorization.state, {
    source: entry.id,
    codeVerifier: authorization.codeVerifier,
    mode,
    browserBinding: await bindToBrowser(c, entry.id),
    system,
  });
  return c.redirect(authorization.url.toString(), status);
}

export function integrationRoutes(engine: EngineOptions = {}) {
  return (
    new Hono<AppEnv>()
      .get("/:source/start", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const mode = sourceMode(entry, c.env);
        if (mode === "unavailable" || entry.connectMethod === "aggregator") {
          return errorResponse(c, 409, `${entry.name} is not available to connect yet.`);
        }
        if (entry.explicitConsent && c.req.query("consent") !== entry.explicitConsent.value) {
          return errorResponse(
            c,
            400,
            `${entry.name} need${entry.name.endsWith("s") ? "" : "s"} your explicit consent first: tick the box in the Connect dialog, then continue.`,
          );
        }
        return beginConnect(c, entry, mode, null, 302, engine);
      })
      // Connect one more health system (a SMART source), chosen from the directory or by its FHIR address. A POST
      // with the CSRF token: the address decides whose server the person is sent to and whose records are stored,
      // so another site must not be able to choose it for them.
      .post("/:source/start", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const mode = sourceMode(entry, c.env);
        if (!connectsPerSystem(entry)) return errorResponse(c, 404, `${entry.name} is connected from its Connect button.`);
        if (mode === "unavailable") return errorResponse(c, 409, `${entry.name} is not available to connect yet.`);
        const form = await c.req.parseBody();
        const checked = normalizeFhirBase(typeof form.fhir_base === "string" ? form.fhir_base : "");
        if (!checked.ok) return errorResponse(c, 400, `${checked.reason} Nothing was connected.`);
        const system = healthSystemAt(entry.id, mode, checked.fhirBase);
        try {
          await discoverSmartConfiguration(system.fhirBase, providerFetch(c.env, mode, engine.fetch ? { fetch: engine.fetch } : {}), engine.timeoutMs);
        } catch {
          return errorResponse(
            c,
            422,
            // No `{base}/.well-known/smart-configuration` there (or it could not be read): said without the jargon.
            `No SMART on FHIR sign-in was found at ${system.fhirBase}. Check the address with your health system (its patient-portal help page lists it). Nothing was connected.`,
          );
        }
        return beginConnect(c, entry, mode, system, 303, engine);
      })
      .get("/:source/callback", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const query = CallbackQuery.safeParse(c.req.query());
        if (!query.success) return errorResponse(c, 400, "This connection link is malformed. Nothing was connected. Start again from Connect.");
        const { code, state, error } = query.data;
        const user = c.get("user");
        const hub = userHubFor(c.env, user.id);
        if (error) {
          // Spend the state so the same link cannot be replayed with a code later.
          if (state) await hub.consumeAuthorization(user.id, state);
          forgetBinding(c, entry.id);
          // Saying no is a choice, not an error: back to settings with a calm notice.
          if (error === "access_denied") return c.redirect(`/settings?declined=${entry.id}`, 303);
          const codeText = safeErrorCode(error);
          return errorResponse(
            c,
            400,
            `${entry.vendor} could not complete the connection${codeText ? ` (${codeText})` : ""}. Nothing was connected. Please try again.`,
          );
        }
        if (!code || !state) return errorResponse(c, 400, "This connection link is incomplete. Nothing was connected. Start again from Connect.");

        const pending = await hub.consumeAuthorization(user.id, state);
        if (pending === null || pending === "expired" || pending.source !== entry.id) {
          const why = pending === "expired" ? "expired (links last ten minutes)" : "was already used or did not start here";
          return errorResponse(c, 400, `This connection link ${why}. Nothing was connected. Start again from Connect.`);
        }
        // The state alone is not enough: only the browser that pressed Connect may finish it.
        if (!(await fromBoundBrowser(c, entry.id, pending.browserBinding))) {
          return errorResponse(c, 400, "This connection link was started in another browser. Nothing was connected. Start again from Connect here.");
        }

        let tokens: TokenSet;
        let externalUserId: string | null = null;
        let client: Awaited<ReturnType<typeof resolveOAuthClient>>;
        const system = pending.system;
        try {
          client = await resolveOAuthClient(entry.id, c.env, pending.mode, system ? { ...engine, fhirBase: system.fhirBase } : engine);
          tokens = await exchangeCode(client, code, pending.codeVerifier, engine);
        } catch (failure) {
          return providerFailure(c, entry, failure);
        }
        try {
          externalUserId = client.identify ? await client.identify(tokens) : null;
        } catch {
          // The id only routes webhooks; a connection without it still syncs by polling.
          externalUserId = null;
        }

        // Each health system is its own connection: its own tokens, pulls and consent.
        const account = system ? accountFor(entry.id, c.env, system.fhirBase) : "";
        await hub.storeTokens(user.id, { source: entry.id, account }, pending.mode, tokens);
        const db = c.get("db");
        const now = Date.now();
        const granted = tokens.scope ?? client.scopes.join(" ");
        const [, [connection]] = await db.batch([
          upsertUserStatement(db, user),
          connectStatement(
            db,
            user.id,
            { sourceId: entry.id, account },
            {
              externalUserId,
              scopes: granted,
              mode: pending.mode,
              tokenExpiresAt: tokens.expiresAt,
              nextSyncAt: firstScheduledSync(entry.id, now),
              ...(system ? { accountName: system.name } : {}),
            },
            now,
          ),
          db.insert(consents).values({ id: newId("cns"), userId: user.id, sourceId: entry.id, account, scopes: granted, grantedAt: now }),
        ]);
        // The first 30 days, in jobs that each fit one invocation; the cron takes over from there.
        if (connection) await enqueueInitialSync(c.env, { id: connection.id, userId: user.id, source: entry.id }, now, c.get("d1"));
        // A live source streams through the person's Durable Object from the first minute.
        if (provider(entry.id).live) await hub.startLive(user.id, entry.id);
        return c.redirect(`/settings?connected=${entry.id}`, 303);
      })
      .post("/:source/disconnect", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const db = c.get("db");
        const user = c.get("user");
        const form = await c.req.parseBody();
        const { connection } = await sourceTarget(c, entry, namedConnection(form.connection));
        if (!connection || connection.status === "disconnected") return errorResponse(c, 404, `${entry.name} is not connected.`);
        const deleteData = form.delete_data === "yes";
        const name = connection.accountName ?? entry.name;

        const { revokedAtProvider, deletedRecords } = await disconnect(
          c.env,
          db,
          user.id,
          { sourceId: entry.id, account: connection.account },
          { revokeAtProvider: true, deleteData, reason: null },
        );
        const revoked =
          revokedAtProvider === "yes"
            ? ` ${entry.vendor} confirmed the access is revoked.`
            : revokedAtProvider === "failed"
              ? ` ${entry.vendor} did not confirm the revocation; you can also remove Wellness OS in your ${entry.vendor} account settings.`
              : "";
        const dataNote = !deleteData
          ? ""
          : deletedRecords === null
            ? ` The synced data could not be deleted just now: use "Delete synced data" on the ${entry.name} page to try again.`
            : " The synced data was deleted.";
        const message = `Wellness OS deleted its keys for ${name} and stopped syncing.${revoked}${dataNote}`;
        if (!isHtmx(c)) return c.redirect(`/settings?disconnected=${entry.id}`, 303);
        return connectionPartials(c, entry.id, `${name} disconnected`, message);
      })
      // Sync now: one run for the scheduled window, unless one is already queued or running.
      .post("/:source/sync", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const spec = provider(entry.id).sync;
        const user = c.get("user");
        const form = await c.req.parseBody();
        const { connection } = await sourceTarget(c, entry, namedConnection(form.connection));
        if (!connection || (connection.status !== "connected" && connection.status !== "error") || !spec) {
          return errorResponse(c, 409, `${entry.name} is not connected, so there is nothing to sync.`);
        }
        const now = Date.now();
        if (!connection.activeRunId) {
          const window = scheduledWindow(spec, readCursor(connection.syncCursor), now);
          await enqueueSyncJobs(c.env, jobsFor({ id: connection.id, userId: user.id, source: entry.id }, spec, "manual", window), now, c.get("d1"));
        }
        if (!isHtmx(c)) return c.redirect("/settings", 303);
        const { state } = await sourceTarget(c, entry, undefined, now);
        return c.html(
          <IntegrationCard state={state} now={now} csrfToken={c.get("csrfToken")} live={healthRecordsCardSlots([state], now, c.get("csrfToken"))[entry.id]} />,
        );
      })
      .post("/:source/data/delete", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const db = c.get("db");
        const user = c.get("user");
        // Every connection of the source (all its health systems), or the one the form names.
        const form = await c.req.parseBody();
        const named = namedConnection(form.connection);
        const rows = await getSourceConnections(db, user.id, entry.id);
        const targets = named === undefined ? rows : rows.filter((row) => row.id === named);
        if (named !== undefined && targets.length === 0) return errorResponse(c, 404, `${entry.name} is not connected.`);
        const hub = userHubFor(c.env, user.id);
        const deleted = await hub.deleteRecords(user.id, entry.id, named === undefined ? undefined : targets[0]!.account).catch(deleteFailed);
        if (deleted === null)
          return errorResponse(c, 503, `The data synced from ${entry.name} could not be deleted just now. Nothing was changed; please try again.`);
        // A connected source starts over from a fresh backfill rather than resuming after the deleted data.
        for (const row of targets) await resetSyncCursor(db, user.id, { sourceId: entry.id, account: row.account });
        const message = `Deleted ${deleted} record${deleted === 1 ? "" : "s"} synced from ${entry.name}.`;
        if (!isHtmx(c)) return c.redirect(`/settings?deleted=${entry.id}`, 303);
        return connectionPartials(c, entry.id, "Data deleted", message);
      })
  );
}
