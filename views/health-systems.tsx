import type { ConnectionWithActivity } from "../src/db/connections";
import type { CardState } from "../src/domain/card-state";
import type { CatalogEntry } from "../src/domain/integration";
import { development } from "../src/platform/development";
import type { HealthSystem } from "../src/providers/smart-fhir/systems";
import { ModalLink, SourceMark, TimeAgo } from "./card";
import { CsrfField, Dismiss, type ModalProps } from "./modals";

const startAction = (entry: Pick<CatalogEntry, "id">) => `/api/integrations/${entry.id}/start`;

/** One system to connect: a POST (with the CSRF token) carrying its FHIR address, so no other site can pick it. */
function ConnectSystem({ entry, system, csrfToken, label }: { entry: CatalogEntry; system: HealthSystem; csrfToken: string; label: string }) {
  return (
    <form method="post" action={startAction(entry)} class="inline">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="fhir_base" value={system.fhirBase} />
      <button type="submit" class="btn btn-secondary">
        {label}
      </button>
    </form>
  );
}

/** The directory's matches for a search, each with its own Connect. */
export function HealthSystemResults({
  entry,
  query,
  matches,
  csrfToken,
}: {
  entry: CatalogEntry;
  query: string;
  matches: readonly HealthSystem[];
  csrfToken: string;
}) {
  return (
    <div id="system-results" aria-live="polite">
      {query.trim() === "" ? null : matches.length === 0 ? (
        <p class="muted">No health system matches “{query}”. Try another word from its name, or enter its FHIR address below.</p>
      ) : (
        <ul class="system-list">
          {matches.map((system) => (
            <li>
              <span>
                <strong>{system.name}</strong>
                <span class="muted system-host">{new URL(system.fhirBase).hostname}</span>
              </span>
              <ConnectSystem entry={entry} system={system} csrfToken={csrfToken} label="Connect" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Connecting a health system: search the directory by name (as you type, or with the Search button without
 * JavaScript), or enter the system's FHIR address. Reconnecting a system goes straight to that system.
 */
export function HealthSystemModal({
  state,
  reconnect,
  query,
  matches,
  inPage,
  csrfToken,
}: ModalProps & { state: CardState; reconnect: ConnectionWithActivity | null; query: string; matches: readonly HealthSystem[]; csrfToken: string }) {
  const { entry } = state;
  const connected = state.systems.length;
  const searchUrl = `/settings/health-systems/${entry.id}`;
  return (
    <div class="modal-content">
      <div class="modal-head">
        <SourceMark id={entry.id} letters={entry.mark.letters} color={entry.mark.color} />
        <h2 id="modal-title">
          {reconnect ? `Reconnect ${reconnect.accountName ?? entry.name}` : connected > 0 ? "Add another health system" : "Connect your health system"}
        </h2>
      </div>
      {reconnect ? (
        <>
          {reconnect.statusReason ? <p class="reason">{reconnect.statusReason}</p> : null}
          <p>You will sign in to {reconnect.accountName ?? entry.name}'s patient portal again and choose what to share.</p>
        </>
      ) : (
        <>
          <p>
            Find where you get care. You sign in to its patient portal (MyChart or similar) and choose what to share; each health system you add is a connection
            of its own.
          </p>
          <search>
            <form method="get" action={`/settings/connect/${entry.id}`} class="system-search">
              <label for="system-query">Health system or hospital</label>
              <div class="system-search-row">
                <input
                  id="system-query"
                  type="search"
                  name="q"
                  value={query}
                  autocomplete="off"
                  placeholder="e.g. Mass General, UCSF, Kaiser"
                  hx-get={searchUrl}
                  hx-trigger="input changed delay:250ms, search"
                  hx-target="#system-results"
                  hx-swap="outerHTML"
                />
                <button type="submit" class="btn btn-secondary">
                  Search
                </button>
              </div>
            </form>
          </search>
          <HealthSystemResults entry={entry} query={query} matches={matches} csrfToken={csrfToken} />
          <details class="system-address">
            <summary>Not listed? Enter its FHIR address</summary>
            <form method="post" action={startAction(entry)} class="system-address-form">
              <CsrfField token={csrfToken} />
              <label for="fhir-base">FHIR R4 address (your health system or its patient-portal help page gives it)</label>
              <input id="fhir-base" type="url" name="fhir_base" required maxlength={500} placeholder="https://…/api/FHIR/R4" inputmode="url" />
              <button type="submit" class="btn btn-secondary">
                Connect
              </button>
            </form>
          </details>
        </>
      )}
      <h3>What is shared</h3>
      <ul class="reads">
        {entry.reads.map((item) => (
          <li>{item}</li>
        ))}
      </ul>
      <p class="privacy">{entry.privacyNote}</p>
      {state.mode === "sandbox" ? development()?.sandboxNote("connect", "health system") : null}
      <div class="modal-actions">
        {reconnect && reconnect.account === "" ? (
          // The deployment's own system (no address of its own to send): the plain Connect flow reaches it.
          <form method="get" action={startAction(entry)} class="inline">
            <button type="submit" class="btn btn-primary">
              Continue to {reconnect.accountName ?? entry.vendor}
            </button>
          </form>
        ) : reconnect ? (
          <ConnectSystem
            entry={entry}
            system={{ name: reconnect.accountName ?? entry.name, fhirBase: reconnect.account }}
            csrfToken={csrfToken}
            label={`Continue to ${reconnect.accountName ?? entry.vendor}`}
          />
        ) : null}
        <Dismiss inPage={inPage} />
      </div>
    </div>
  );
}

const SYSTEM_STATUS: Record<string, string> = {
  connected: "Connected",
  error: "Sync error",
  needs_reauth: "Needs reconnecting",
};

/**
 * The health systems on a records card: each with its state, its last pull, its counts (loaded after the page,
 * one read of the person's records each) and its own Sync now, Reconnect and Disconnect.
 */
export function SystemList({
  entry,
  systems,
  now,
  csrfToken,
}: {
  entry: CatalogEntry;
  systems: readonly ConnectionWithActivity[];
  now: number;
  csrfToken: string;
}) {
  const syncAction = `/api/integrations/${entry.id}/sync`;
  return (
    <ul class="system-list system-list-card" aria-label="Connected health systems">
      {systems.map((system) => {
        const name = system.accountName ?? entry.name;
        const last = system.lastSuccessAt ?? system.lastSyncAt;
        const query = `connection=${system.id}`;
        return (
          <li class={`system system-${system.status}`} id={`system-${system.id}`}>
            <div class="system-head">
              <strong>{name}</strong>
              <span class={`badge badge-${system.status}`}>{SYSTEM_STATUS[system.status] ?? system.status}</span>
            </div>
            <p class="meta">{system.activeRunId ? "Pulling records…" : last ? <>Last pull {<TimeAgo at={last} now={now} />}</> : "Not pulled yet"}</p>
            {system.statusReason ? <p class="reason">{system.statusReason}</p> : null}
            {/* Counts once something was pulled: before that, "0 lab results" would read as an empty record. */}
            {system.status === "needs_reauth" || !last ? null : (
              <div hx-get={`/settings/records-summary/${entry.id}?${query}`} hx-trigger="load" hx-swap="outerHTML" class="records-summary" />
            )}
            <div class="actions">
              {system.status === "needs_reauth" ? (
                <ModalLink href={`/settings/connect/${entry.id}?${query}`} class="btn btn-primary">
                  Reconnect
                </ModalLink>
              ) : system.activeRunId ? null : (
                <form method="post" action={syncAction} hx-post={syncAction} hx-target={`#card-${entry.id}`} hx-swap="outerHTML" class="inline">
                  <CsrfField token={csrfToken} />
                  <input type="hidden" name="connection" value={system.id} />
                  <button type="submit" class="btn btn-secondary">
                    Sync now
                  </button>
                </form>
              )}
              <ModalLink href={`/settings/disconnect/${entry.id}?${query}`} class="btn btn-destructive">
                Disconnect
              </ModalLink>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
