import type { Child } from "hono/jsx";
import type { CardState } from "../src/domain/card-state";
import type { IntegrationStatus, IntegrationType } from "../src/domain/integration";
import { development } from "../src/platform/development";
import { provider } from "../src/providers/registry";
import { relativeTime } from "./format";

const TYPE_LABELS: Record<IntegrationType, string> = {
  wearable: "Wearable",
  scale: "Smart scale",
  cgm: "Continuous glucose monitor",
  app: "Phone app",
  ehr: "Health records",
  email: "Email receipts",
};

const STATUS_LABELS: Record<IntegrationStatus, string> = {
  available: "Not connected",
  connected: "Connected",
  disconnected: "Disconnected",
  coming_soon: "Coming soon",
  needs_reauth: "Needs reconnecting",
  error: "Sync error",
};

export function SourceMark({ letters, color }: { letters: string; color: string }) {
  return (
    <svg class="mark" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true">
      <rect width="40" height="40" rx="10" fill={color} />
      <text x="20" y="25" text-anchor="middle" fill="#fff">
        {letters}
      </text>
    </svg>
  );
}

export function StatusBadge({ status }: { status: IntegrationStatus }) {
  return <span class={`badge badge-${status}`}>{STATUS_LABELS[status]}</span>;
}

/** Opens a modal fragment with htmx, or the same content as a page without JavaScript. */
export function ModalLink({ href, class: className, children }: { href: string; class: string; children: string }) {
  return (
    <a class={className} href={href} hx-get={href} hx-target="#modal-body">
      {children}
    </a>
  );
}

/** Starts a sync: htmx swaps the card for its syncing state; without JavaScript the form posts and returns. */
function SyncNow({ id, csrfToken, label = "Sync now" }: { id: string; csrfToken: string; label?: string }) {
  const action = `/api/integrations/${id}/sync`;
  return (
    <form method="post" action={action} hx-post={action} hx-target={`#card-${id}`} hx-swap="outerHTML" class="inline">
      <input type="hidden" name="_csrf" value={csrfToken} />
      <button type="submit" class="btn btn-quiet">
        {label}
      </button>
    </form>
  );
}

function CardAction({ state, csrfToken }: { state: CardState; csrfToken: string }) {
  const id = state.entry.id;
  const synced = state.connection !== null && provider(state.entry.id).sync !== undefined;
  switch (state.status) {
    case "available":
    case "disconnected":
      return (
        <ModalLink href={`/settings/connect/${id}`} class="btn btn-primary">
          Connect
        </ModalLink>
      );
    case "needs_reauth":
      return (
        <>
          <ModalLink href={`/settings/connect/${id}`} class="btn btn-primary">
            Reconnect
          </ModalLink>
          <ModalLink href={`/settings/disconnect/${id}`} class="btn btn-quiet">
            Disconnect
          </ModalLink>
        </>
      );
    case "error":
      return (
        <>
          {synced && state.activity !== "syncing" ? <SyncNow id={id} csrfToken={csrfToken} label="Try again" /> : null}
          <ModalLink href={`/settings/connect/${id}`} class="btn btn-quiet">
            Reconnect
          </ModalLink>
          <a class="btn btn-quiet" href={`/settings/connections/${id}`}>
            Details
          </a>
        </>
      );
    case "connected":
      return (
        <>
          {synced && state.activity !== "syncing" ? <SyncNow id={id} csrfToken={csrfToken} /> : null}
          <a class="btn btn-quiet" href={`/settings/connections/${id}`}>
            Details
          </a>
          <ModalLink href={`/settings/disconnect/${id}`} class="btn btn-quiet">
            Disconnect
          </ModalLink>
        </>
      );
    case "coming_soon":
      return (
        <ModalLink href={`/settings/coming-soon/${id}`} class="btn btn-muted">
          Coming soon
        </ModalLink>
      );
  }
}

function timeTag(at: number, now: number) {
  return <time datetime={new Date(at).toISOString()}>{relativeTime(at, now)}</time>;
}

/** Last sync, next sync and what is happening now, in words that are true at render time. */
function SyncLine({ state, now }: { state: CardState; now: number }) {
  const connection = state.connection;
  if (!connection || (state.status !== "connected" && state.status !== "error" && state.status !== "needs_reauth")) return null;
  const lastSync = connection.lastSuccessAt ?? connection.lastSyncAt;
  if (state.activity === "syncing") {
    // The card polls itself while a sync runs, and stops when the swapped-in card has no poller.
    const id = state.entry.id;
    return (
      <p class="meta syncing" role="status" hx-get={`/settings/cards/${id}`} hx-trigger="every 2s" hx-target={`#card-${id}`} hx-swap="outerHTML">
        Syncing…{lastSync ? <> Last synced {timeTag(lastSync, now)}.</> : null}
      </p>
    );
  }
  return (
    <p class="meta">
      {lastSync ? <>Last synced {timeTag(lastSync, now)}</> : "Not synced yet"}
      {state.status === "connected" && connection.nextSyncAt && connection.nextSyncAt > now ? <>; next {timeTag(connection.nextSyncAt, now)}</> : null}
      {state.activity === "stale" ? <span class="stale"> · Stale: no successful sync recently</span> : null}
    </p>
  );
}

export function IntegrationCard({ state, now, csrfToken, live }: { state: CardState; now: number; csrfToken: string; live?: Child | undefined }) {
  const { entry } = state;
  return (
    <article class={`card card-${state.status}${state.activity ? ` card-${state.activity}` : ""}`} id={`card-${entry.id}`} aria-labelledby={`name-${entry.id}`}>
      <div class="card-head">
        <SourceMark letters={entry.mark.letters} color={entry.mark.color} />
        <div class="card-title">
          <h3 id={`name-${entry.id}`}>{entry.name}</h3>
          <p class="type">{TYPE_LABELS[entry.type]}</p>
        </div>
        <StatusBadge status={state.status} />
      </div>
      <SyncLine state={state} now={now} />
      {live}
      {state.reason ? <p class="reason">{state.reason}</p> : null}
      {state.mode === "sandbox" && state.status !== "coming_soon" ? development()?.sandboxNote("card", entry.vendor) : null}
      <div class="actions">
        <CardAction state={state} csrfToken={csrfToken} />
      </div>
    </article>
  );
}
