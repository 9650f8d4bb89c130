import { raw } from "hono/html";
import type { CardState } from "../src/domain/card-state";
import { development } from "../src/platform/development";
import { SourceMark } from "./card";
import { Dismiss, type ModalProps } from "./modals";

/**
 * "Connect on your phone" for a source that only the phone can read (Apple Health, Health Connect): the dialog asks
 * for a one-time code as soon as it opens (htmx `load`), or on the button without JavaScript.
 */
export function PhoneHandoffModal({ state, inPage, csrfToken }: ModalProps & { state: CardState; csrfToken: string }) {
  const { entry } = state;
  const action = `/api/integrations/${entry.id}/handoff`;
  return (
    <div class="modal-content">
      <div class="modal-head">
        <SourceMark letters={entry.mark.letters} color={entry.mark.color} />
        <h2 id="modal-title">Connect {entry.name} on your phone</h2>
      </div>
      <p>{entry.description}</p>
      {state.reason ? <p class="reason">{state.reason}</p> : null}
      <ol class="steps">
        <li>Open the Wellness OS app on your phone, or scan the code below with its camera.</li>
        <li>Choose what to share when your phone asks.</li>
        <li>Your data appears here within a few minutes; your phone keeps sending new data in the background.</li>
      </ol>
      <p class="privacy">{entry.privacyNote}</p>
      {state.mode === "sandbox" ? development()?.sandboxNote("connect", entry.vendor) : null}
      <div id="handoff-code">
        <form method="post" action={action} hx-post={action} hx-trigger="load, submit" hx-target="#handoff-code" class="modal-actions">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <button type="submit" class="btn btn-primary">
            Show the code for your phone
          </button>
          <Dismiss inPage={inPage} label="Cancel" />
        </form>
      </div>
    </div>
  );
}

/** The code itself: a QR code (SVG made on the server) and the same link, valid once for ten minutes. */
export function PhoneHandoffCode({ name, link, qrSvg, minutes }: { name: string; link: string; qrSvg: string; minutes: number }) {
  return (
    <div class="handoff">
      <figure class="handoff-qr" aria-label={`QR code that opens ${name} in the Wellness OS app`}>
        {raw(qrSvg)}
      </figure>
      <p>
        On your phone, <a href={link}>open this link</a> instead of scanning.
      </p>
      <p class="muted">The code works once, for you only, and expires in {minutes} minutes. Close this dialog and open it again for a new one.</p>
    </div>
  );
}
