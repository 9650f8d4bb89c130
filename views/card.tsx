import type { Child } from "hono/jsx";
import type { CardState } from "../src/domain/card-state";
import type { IntegrationStatus, IntegrationType } from "../src/domain/integration";
import { provider } from "../src/providers/registry";
import { absoluteTime, relativeTime } from "./format";
import { SourceMark } from "./marks";

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

export { SourceMark } from "./marks";

/** Only a state worth noticing gets a badge: an available source says nothing, its Connect button says enough. */
export function StatusBadge({ status, stale = false }: { status: IntegrationStatus; stale?: boolean }) {
  if (status === "available") return null;
  // A connection whose syncs stopped succeeding is not shown as a healthy green "Connected".
  if (stale && status === "connected") return <span class="badge badge-stale">Stale</span>;
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
function SyncNow({ id, csrfToken, label = "Sync now", primary = false }: { id: string; csrfToken: string; label?: string; primary?: boolean }) {
  const action = `/api/integrations/${id}/sync`;
  return (
    <form method="post" action={action} hx-post={action} hx-target={`#card-${id}`} hx-swap="outerHTML" class="inline">
      <input type="hidden" name="_csrf" value={csrfToken} />
      <button type="submit" class={primary ? "btn btn-primary" : "btn btn-secondary"}>
        {label}
      </button>
    </form>
  );
}

const detailHref = (id: string) => `/settings/connections/${id}`;

function DetailsLink({ id, label = "Details" }: { id: string; label?: string }) {
  return (
    <a class="btn btn-secondary" href={detailHref(id)}>
      {label}
    </a>
  );
}

function DisconnectLink({ id }: { id: string }) {
  return (
    <ModalLink href={`/settings/disconnect/${id}`} class="btn btn-destructive">
      Disconnect
    </ModalLink>
  );
}

/**
 * One primary action at most (what the person most likely came to do), quieter secondary actions, and Disconnect
 * set apart as the destructive one. On its own detail page a card does not link to itself.
 */
function CardAction({ state, csrfToken, onDetail }: { state: CardState; csrfToken: string; onDetail: boolean }) {
  const id = state.entry.id;
  if (state.systems.length > 0) {
    // Each health system has its own Sync now and Disconnect in the list above; the card adds one more system.
    return (
      <>
        <ModalLink href={`/settings/connect/${id}`} class="btn btn-secondary">
          Add a health system
        </ModalLink>
        {onDetail ? null : <DetailsLink id={id} label="Records" />}
      </>
    );
  }
  const synced = state.connection !== null && provider(state.entry.id).sync !== undefined;
  const canSyncNow = synced && state.activity !== "syncing";
  switch (state.status) {
    case "available":
      return (
        <ModalLink href={`/settings/connect/${id}`} class="btn btn-primary">
          Connect
        </ModalLink>
      );
    case "disconnected":
      // The data synced before the disconnect is kept until the person deletes it: its page stays reachable.
      return (
        <>
          <ModalLink href={`/settings/connect/${id}`} class="btn btn-primary">
            Connect
          </ModalLink>
          {onDetail ? null : <DetailsLink id={id} label="Synced data" />}
        </>
      );
    case "needs_reauth":
      return (
        <>
          <ModalLink href={`/settings/connect/${id}`} class="btn btn-primary">
            Reconnect
          </ModalLink>
          {onDetail ? null : <DetailsLink id={id} />}
          <DisconnectLink id={id} />
        </>
      );
    case "error":
      // Three at most on a card, so Disconnect never wraps onto a line of its own: it is on the source's page.
      return (
        <>
          {canSyncNow ? <SyncNow id={id} csrfToken={csrfToken} label="Try again" primary /> : null}
          <ModalLink href={`/settings/connect/${id}`} class={canSyncNow ? "btn btn-secondary" : "btn btn-primary"}>
            Reconnect
          </ModalLink>
          {onDetail ? <DisconnectLink id={id} /> : <DetailsLink id={id} />}
        </>
      );
    case "connected":
      return (
        <>
          {canSyncNow ? <SyncNow id={id} csrfToken={csrfToken} /> : null}
          {onDetail ? null : <DetailsLink id={id} />}
          <DisconnectLink id={id} />
        </>
      );
    case "coming_soon":
      return (
        <ModalLink href={`/settings/coming-soon/${id}`} class="btn btn-link">
          Learn more
        </ModalLink>
      );
  }
}

/** "5 minutes ago", with the exact moment on hover and for assistive technology that reads titles. */
export function TimeAgo({ at, now }: { at: number; now: number }) {
  return (
    <time datetime={new Date(at).toISOString()} title={absoluteTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}

const timeTag = (at: number, now: number) => <TimeAgo at={at} now={now} />;

/** The one short line under a card's name: what the source is, or, once connected, how its sync is doing. */
function SyncLine({ state, now }: { state: CardState; now: number }) {
  const connection = state.connection;
  const live = state.status === "connected" || state.status === "error" || state.status === "needs_reauth";
  if (!connection || !live) return <p class="meta">{TYPE_LABELS[state.entry.type]}</p>;
  if (state.systems.length > 0) {
    const n = state.systems.length;
    const id = state.entry.id;
    // While any system pulls, the card polls itself, as a single connection's card does.
    return state.activity === "syncing" ? (
      <p class="meta syncing" role="status" hx-get={`/settings/cards/${id}`} hx-trigger="every 2s" hx-target={`#card-${id}`} hx-swap="outerHTML">
        {n === 1 ? "1 health system" : `${n} health systems`} · pulling records…
      </p>
    ) : (
      <p class="meta">{n === 1 ? "1 health system" : `${n} health systems`}</p>
    );
  }
  // A source with nothing to pull yet (records and receipts until their sync lands) is connected, not waiting.
  if (!provider(state.entry.id).sync) {
    return <p class="meta">{connection.connectedAt ? <>Connected {timeTag(connection.connectedAt, now)}</> : "Connected"}</p>;
  }
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
      {lastSync ? <>Synced {timeTag(lastSync, now)}</> : "Not synced yet"}
      {state.status === "connected" && connection.nextSyncAt && connection.nextSyncAt > now ? <> · next {timeTag(connection.nextSyncAt, now)}</> : null}
      {state.activity === "stale" && state.status === "connected" ? <span class="stale">Stale: no successful sync recently</span> : null}
    </p>
  );
}

export function IntegrationCard({
  state,
  now,
  csrfToken,
  live,
  onDetail = false,
}: {
  state: CardState;
  now: number;
  csrfToken: string;
  live?: Child | undefined;
  /** On the source's own page: the page's h1 names it, so the card's name is an h2 and it has no Details link. */
  onDetail?: boolean;
}) {
  const { entry } = state;
  const Heading = onDetail ? "h2" : "h3";
  return (
    <article class={`card card-${state.status}${state.activity ? ` card-${state.activity}` : ""}`} id={`card-${entry.id}`} aria-labelledby={`name-${entry.id}`}>
      <div class="card-head">
        <SourceMark id={entry.id} letters={entry.mark.letters} color={entry.mark.color} />
        <div class="card-title">
          <Heading id={`name-${entry.id}`}>{entry.name}</Heading>
          <SyncLine state={state} now={now} />
        </div>
        <StatusBadge status={state.status} stale={state.activity === "stale"} />
      </div>
      {live}
      {state.reason && state.systems.length === 0 ? <p class="reason">{state.reason}</p> : null}
      <div class="actions">
        <CardAction state={state} csrfToken={csrfToken} onDetail={onDetail} />
      </div>
    </article>
  );
}
