import type { Child } from "hono/jsx";
import type { ConnectionWithActivity } from "../src/db/connections";
import type { CardState } from "../src/domain/card-state";
import type { SuggestionInput } from "../src/domain/suggestion";
import { SUGGESTION_TYPES } from "../src/domain/suggestion";
import { development } from "../src/platform/development";
import { SourceMark } from "./card";

/**
 * Modal content renders two ways: as an htmx fragment inside the page's <dialog>, or (`inPage`) as its own page
 * when JavaScript is off, where "Cancel" has to be a link back instead of a button that closes the dialog.
 */
export interface ModalProps {
  inPage: boolean;
}

export function Dismiss({ inPage, label = "Cancel" }: ModalProps & { label?: string }) {
  return inPage ? (
    <a class="btn btn-quiet" href="/settings">
      {label}
    </a>
  ) : (
    <button type="button" class="btn btn-quiet" data-close-modal>
      {label}
    </button>
  );
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function ConnectModal({ state, inPage }: ModalProps & { state: CardState }) {
  const { entry } = state;
  const reconnect = state.status === "needs_reauth" || state.status === "error";
  const startUrl = `/api/integrations/${entry.id}/start`;
  return (
    <div class="modal-content">
      <div class="modal-head">
        <SourceMark id={entry.id} letters={entry.mark.letters} color={entry.mark.color} />
        <h2 id="modal-title">{reconnect ? `Reconnect ${entry.name}` : `Connect ${entry.name}`}</h2>
      </div>
      <p>{entry.description}</p>
      {state.reason ? <p class="reason">{state.reason}</p> : null}
      <h3>What {entry.name} shares</h3>
      <ul class="reads">
        {entry.reads.map((item) => (
          <li>{item}</li>
        ))}
      </ul>
      {entry.scopes.length > 0 ? (
        <details class="scopes-detail">
          <summary>Exact permissions asked of {entry.vendor}</summary>
          <ul class="scopes">
            {entry.scopes.map((scope) => (
              <li>
                <code>{scope}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : (
        <p class="muted">{entry.vendor} asks you to choose what to share on its own page.</p>
      )}
      <p class="privacy">{entry.privacyNote}</p>
      {state.mode === "sandbox" ? development()?.sandboxNote("connect", entry.vendor) : null}
      <form method="get" action={startUrl} class="modal-actions">
        {entry.explicitConsent ? (
          <label class="consent">
            <input type="checkbox" name="consent" value={entry.explicitConsent.value} required />
            {entry.explicitConsent.text}
          </label>
        ) : null}
        <button type="submit" class="btn btn-primary">
          Continue to {entry.vendor}
        </button>
        <Dismiss inPage={inPage} />
      </form>
    </div>
  );
}

export function DisconnectModal({
  state,
  connection,
  inPage,
  csrfToken,
}: ModalProps & { state: CardState; connection?: ConnectionWithActivity | null; csrfToken: string }) {
  const { entry } = state;
  const action = `/api/integrations/${entry.id}/disconnect`;
  // One of several health systems is named as the person knows it; the others stay connected.
  const name = connection?.accountName ?? entry.name;
  const vendor = connection?.accountName ?? entry.vendor;
  return (
    <div class="modal-content">
      <h2 id="modal-title">Disconnect {name}?</h2>
      <p>
        Wellness OS stops syncing {name}, revokes its access where {vendor} allows it, and deletes the keys it held. Data already synced stays until you delete
        it.
      </p>
      <form method="post" action={action} hx-post={action} hx-target="#modal-body" class="modal-actions">
        <CsrfField token={csrfToken} />
        {connection && state.systems.length > 0 ? <input type="hidden" name="connection" value={connection.id} /> : null}
        <label class="consent">
          <input type="checkbox" name="delete_data" value="yes" /> Also delete the data already synced from {name}
        </label>
        <button type="submit" class="btn btn-danger">
          Disconnect
        </button>
        <Dismiss inPage={inPage} />
      </form>
    </div>
  );
}

export function ComingSoonModal({ state, inPage }: ModalProps & { state: CardState }) {
  const { entry } = state;
  return (
    <div class="modal-content">
      <div class="modal-head">
        <SourceMark id={entry.id} letters={entry.mark.letters} color={entry.mark.color} />
        <h2 id="modal-title">{entry.name} is coming soon</h2>
      </div>
      <p>{entry.description}</p>
      <p>This connection is not available yet. When it is, it will appear here with a Connect button, and nothing is shared until you choose to connect.</p>
      <div class="modal-actions">
        <Dismiss inPage={inPage} label="Close" />
      </div>
    </div>
  );
}

export type SuggestionErrors = Partial<Record<keyof SuggestionInput, string>>;

export function SuggestForm({
  inPage,
  csrfToken,
  values = {},
  errors = {},
}: ModalProps & { csrfToken: string; values?: Partial<Record<keyof SuggestionInput, string>>; errors?: SuggestionErrors }) {
  const invalid = (field: keyof SuggestionInput) => (errors[field] ? "true" : undefined);
  const describedBy = (field: keyof SuggestionInput, hint?: string) =>
    [errors[field] ? `err-${field}` : null, hint ?? null].filter(Boolean).join(" ") || undefined;
  return (
    <div class="modal-content">
      <h2 id="modal-title">Suggest a device</h2>
      <p>Tell us which device or app you want Wellness OS to connect to next.</p>
      <form method="post" action="/settings/suggestions" hx-post="/settings/suggestions" hx-target="#modal-body" novalidate>
        <CsrfField token={csrfToken} />
        {Object.keys(errors).length > 0 ? (
          <p class="form-error" role="alert">
            Please fix the highlighted fields.
          </p>
        ) : null}
        <div class="field">
          <label for="suggest-name">Device or app name</label>
          <input
            id="suggest-name"
            name="name"
            maxlength={80}
            required
            autocomplete="off"
            value={values.name ?? ""}
            aria-invalid={invalid("name")}
            aria-describedby={describedBy("name")}
            autofocus
          />
          {errors.name ? (
            <p class="field-error" id="err-name">
              {errors.name}
            </p>
          ) : null}
        </div>
        <div class="field">
          <label for="suggest-type">Type</label>
          <select id="suggest-type" name="type" required aria-invalid={invalid("type")} aria-describedby={describedBy("type")}>
            <option value="">Choose a type</option>
            {SUGGESTION_TYPES.map(([value, label]) => (
              <option value={value} selected={values.type === value}>
                {label}
              </option>
            ))}
          </select>
          {errors.type ? (
            <p class="field-error" id="err-type">
              {errors.type}
            </p>
          ) : null}
        </div>
        <div class="field">
          <label for="suggest-note">Note (optional)</label>
          <textarea id="suggest-note" name="note" maxlength={500} rows={3} aria-invalid={invalid("note")} aria-describedby={describedBy("note", "note-hint")}>
            {values.note ?? ""}
          </textarea>
          <p class="hint" id="note-hint">
            Up to 500 characters, e.g. the model or what you would use it for.
          </p>
          {errors.note ? (
            <p class="field-error" id="err-note">
              {errors.note}
            </p>
          ) : null}
        </div>
        <div class="modal-actions">
          <button type="submit" class="btn btn-primary">
            Send suggestion
          </button>
          <Dismiss inPage={inPage} />
        </div>
      </form>
    </div>
  );
}

export function SuggestThanks({ inPage, name }: ModalProps & { name: string }) {
  return (
    <div class="modal-content" role="status">
      <h2 id="modal-title">Thank you</h2>
      <p>We saved your suggestion for {name}. Suggestions decide which connection we build next.</p>
      <div class="modal-actions">
        <Dismiss inPage={inPage} label="Done" />
      </div>
    </div>
  );
}

/** A short result shown in the modal after an action (e.g. "Oura disconnected"). */
export function ModalNotice({ inPage, title, children }: ModalProps & { title: string; children: string }) {
  return (
    <div class="modal-content" role="status">
      <h2 id="modal-title">{title}</h2>
      <p>{children}</p>
      <div class="modal-actions">
        <Dismiss inPage={inPage} label="Done" />
      </div>
    </div>
  );
}

/** Wraps modal content as a page of its own, for requests without JavaScript. */
export function ModalPage({ children }: { children: Child }) {
  return <div class="modal-page">{children}</div>;
}
