import type { CardState } from "../src/domain/card-state";
import type { IntegrationStatus, IntegrationType } from "../src/domain/integration";
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

function CardAction({ state }: { state: CardState }) {
  const id = state.entry.id;
  switch (state.status) {
    case "available":
    case "disconnected":
      return <ModalLink href={`/settings/connect/${id}`} class="btn btn-primary">Connect</ModalLink>;
    case "needs_reauth":
    case "error":
      return (
        <>
          <ModalLink href={`/settings/connect/${id}`} class="btn btn-primary">Reconnect</ModalLink>
          <ModalLink href={`/settings/disconnect/${id}`} class="btn btn-quiet">Disconnect</ModalLink>
        </>
      );
    case "connected":
      return <ModalLink href={`/settings/disconnect/${id}`} class="btn btn-quiet">Disconnect</ModalLink>;
    case "coming_soon":
      return <ModalLink href={`/settings/coming-soon/${id}`} class="btn btn-muted">Coming soon</ModalLink>;
  }
}

export function IntegrationCard({ state, now }: { state: CardState; now: number }) {
  const { entry, connection } = state;
  const lastSync = connection?.lastSyncAt ?? null;
  return (
    <article class={`card card-${state.status}`} id={`card-${entry.id}`} aria-labelledby={`name-${entry.id}`}>
      <div class="card-head">
        <SourceMark letters={entry.mark.letters} color={entry.mark.color} />
        <div class="card-title">
          <h3 id={`name-${entry.id}`}>{entry.name}</h3>
          <p class="type">{TYPE_LABELS[entry.type]}</p>
        </div>
        <StatusBadge status={state.status} />
      </div>
      {state.status === "connected" || state.status === "needs_reauth" || state.status === "error" ? (
        <p class="meta">
          {lastSync ? (
            <>
              Last synced <time datetime={new Date(lastSync).toISOString()}>{relativeTime(lastSync, now)}</time>
            </>
          ) : (
            "Not synced yet"
          )}
        </p>
      ) : null}
      {state.reason ? <p class="reason">{state.reason}</p> : null}
      {state.mode === "sandbox" && state.status !== "coming_soon" ? <p class="sandbox-note">Sandbox</p> : null}
      <div class="actions">
        <CardAction state={state} />
      </div>
    </article>
  );
}
