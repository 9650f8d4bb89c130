import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env";
import { isHtmx, renderModal, renderPage } from "./render";

const TITLES: Partial<Record<number, string>> = {
  400: "That request was not valid",
  401: "Please sign in",
  403: "Not allowed",
  404: "Not found",
  413: "That was too large",
  422: "Please check the form",
  429: "Too many requests",
  500: "Something went wrong",
  502: "The provider did not answer properly",
  503: "Temporarily unavailable",
  504: "The provider took too long",
};

function ErrorContent({ status, message, inPage }: { status: number; message: string; inPage: boolean }) {
  return (
    <div class="modal-content error-content" role="alert">
      <h2 id="modal-title">{TITLES[status] ?? "Something went wrong"}</h2>
      <p>{message}</p>
      <p>
        {inPage ? (
          <a href="/settings">Back to settings</a>
        ) : (
          <button type="button" class="btn btn-quiet" data-close-modal>
            Close
          </button>
        )}
      </p>
    </div>
  );
}

/**
 * The one way this app answers an error to a person: a readable sentence, never internals, tokens or codes.
 * htmx requests get the message as a modal fragment; others get a page (JSON for /api/v1 is handled there).
 */
export function errorResponse(c: Context<AppEnv>, status: ContentfulStatusCode, message: string) {
  const title = TITLES[status] ?? "Error";
  if (isHtmx(c)) {
    // Whatever the request targeted, an error belongs in the dialog where it is read, not in a card or grid.
    c.header("HX-Retarget", "#modal-body");
    c.header("HX-Reswap", "innerHTML");
    return renderModal(c, title, (inPage) => <ErrorContent status={status} message={message} inPage={inPage} />, status);
  }
  return renderPage(
    c,
    title,
    <div class="modal-page">
      <ErrorContent status={status} message={message} inPage />
    </div>,
    status,
  );
}
