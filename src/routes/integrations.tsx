import { type Context, Hono } from "hono";
import { z } from "zod";
import { userHubFor } from "../../durable-objects/user-hub";
import { IntegrationCard } from "../../views/card";
import { ModalNotice } from "../../views/modals";
import { ConnectedCount, SectionCount } from "../../views/settings-page";
import type { AppEnv } from "../app-env";
import { disconnect } from "../connections/disconnect";
import { connectStatement, getConnection, listConnections, resetSyncCursor } from "../db/connections";
import { consents } from "../db/schema";
import { upsertUserStatement } from "../db/users";
import { sourceMode } from "../domain/availability";
import { cardState, cardStates } from "../domain/card-state";
import { catalogEntry } from "../domain/catalog";
import type { CatalogEntry, SourceId } from "../domain/integration";
import { newId } from "../lib/ids";
import { bindToBrowser, forgetBinding, fromBoundBrowser } from "../oauth/browser-binding";
import { createAuthorization, type EngineOptions, exchangeCode, resolveOAuthClient } from "../oauth/engine";
import { OAuth2RequestError, ProviderUnavailableError, safeErrorCode, TokenResponseError } from "../oauth/errors";
import { provider } from "../providers/registry";
import type { TokenSet } from "../providers/types";
import { enqueueInitialSync, enqueueSyncJobs, firstScheduledSync, jobsFor, readCursor, scheduledWindow } from "../sync/schedule";
import { errorResponse } from "./errors";
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
        <IntegrationCard state={state} now={now} csrfToken={c.get("csrfToken")} />
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
        let authorization: ReturnType<typeof createAuthorization>;
        try {
          const client = await resolveOAuthClient(entry.id, c.env, mode, engine);
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
        });
        return c.redirect(authorization.url.toString(), 302);
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
        try {
          client = await resolveOAuthClient(entry.id, c.env, pending.mode, engine);
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

        await hub.storeTokens(user.id, entry.id, pending.mode, tokens);
        const db = c.get("db");
        const now = Date.now();
        const granted = tokens.scope ?? client.scopes.join(" ");
        const [, [connection]] = await db.batch([
          upsertUserStatement(db, user),
          connectStatement(
            db,
            user.id,
            entry.id,
            {
              externalUserId,
              scopes: granted,
              mode: pending.mode,
              tokenExpiresAt: tokens.expiresAt,
              nextSyncAt: firstScheduledSync(entry.id, now),
            },
            now,
          ),
          db.insert(consents).values({ id: newId("cns"), userId: user.id, sourceId: entry.id, scopes: granted, grantedAt: now }),
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
        const connection = await getConnection(db, user.id, entry.id);
        if (!connection || connection.status === "disconnected") return errorResponse(c, 404, `${entry.name} is not connected.`);
        const form = await c.req.parseBody();
        const deleteData = form.delete_data === "yes";

        const { revokedAtProvider, deletedRecords } = await disconnect(c.env, db, user.id, entry.id, { revokeAtProvider: true, deleteData, reason: null });
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
        const message = `Wellness OS deleted its keys for ${entry.name} and stopped syncing.${revoked}${dataNote}`;
        if (!isHtmx(c)) return c.redirect(`/settings?disconnected=${entry.id}`, 303);
        return connectionPartials(c, entry.id, `${entry.name} disconnected`, message);
      })
      // Sync now: one run for the scheduled window, unless one is already queued or running.
      .post("/:source/sync", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const spec = provider(entry.id).sync;
        const db = c.get("db");
        const user = c.get("user");
        const connection = await getConnection(db, user.id, entry.id);
        if (!connection || (connection.status !== "connected" && connection.status !== "error") || !spec) {
          return errorResponse(c, 409, `${entry.name} is not connected, so there is nothing to sync.`);
        }
        const now = Date.now();
        if (!connection.activeRunId) {
          const window = scheduledWindow(spec, readCursor(connection.syncCursor), now);
          await enqueueSyncJobs(c.env, jobsFor({ id: connection.id, userId: user.id, source: entry.id }, spec, "manual", window), now, c.get("d1"));
        }
        if (!isHtmx(c)) return c.redirect("/settings", 303);
        const state = cardState(entry, (await getConnection(db, user.id, entry.id)) ?? null, c.env, now);
        return c.html(<IntegrationCard state={state} now={now} csrfToken={c.get("csrfToken")} />);
      })
      .post("/:source/data/delete", sourceParam, async (c) => {
        const entry = catalogEntry(c.req.valid("param").source);
        const db = c.get("db");
        const user = c.get("user");
        const deleted = await userHubFor(c.env, user.id).deleteRecords(user.id, entry.id).catch(deleteFailed);
        if (deleted === null)
          return errorResponse(c, 503, `The data synced from ${entry.name} could not be deleted just now. Nothing was changed; please try again.`);
        // A connected source starts over from a fresh backfill rather than resuming after the deleted data.
        await resetSyncCursor(db, user.id, entry.id);
        const message = `Deleted ${deleted} record${deleted === 1 ? "" : "s"} synced from ${entry.name}.`;
        if (!isHtmx(c)) return c.redirect(`/settings?deleted=${entry.id}`, 303);
        return connectionPartials(c, entry.id, "Data deleted", message);
      })
  );
}
