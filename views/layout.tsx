import type { Child } from "hono/jsx";
import type { AppUser } from "../src/app-env";

// htmx's own indicator <style> would be blocked by our CSP, so its rules live in app.css instead.
const HTMX_CONFIG = JSON.stringify({ includeIndicatorCSS: false, defaultTimeout: 15000 });

export interface LayoutProps {
  title: string;
  /** Pages with a live view load htmx's WebSocket extension. */
  liveScripts?: boolean | undefined;
  user?: AppUser | undefined;
  csrfToken?: string | undefined;
  children: Child;
}

/** The page shell: our own CSS and scripts only (the CSP allows nothing else), and the modal every page can open. */
export function Layout({ title, user, csrfToken, liveScripts, children }: LayoutProps) {
  const headers = csrfToken ? JSON.stringify({ "X-CSRF-Token": csrfToken }) : undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${title} · Wellness OS`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/css/app.css" />
        <script src="/vendor/htmx.min.js" defer></script>
        {liveScripts ? <script src="/vendor/hx-ws.min.js" defer></script> : null}
        <script src="/js/app.js" defer></script>
      </head>
      <body hx-headers:inherited={headers}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="topbar">
          <a class="brand" href="/settings">
            Wellness OS
          </a>
          {user ? (
            <span class="who">
              <span class="who-name">{user.displayName ?? user.email}</span>
              {user.via === "dev" ? (
                <form method="post" action="/dev/sign-out" class="inline">
                  <input type="hidden" name="_csrf" value={csrfToken} />
                  <button type="submit" class="link">
                    Sign out
                  </button>
                </form>
              ) : null}
            </span>
          ) : null}
        </header>
        <main id="main">{children}</main>
        <dialog id="modal" class="modal" aria-labelledby="modal-title">
          <button type="button" class="modal-close" data-close-modal aria-label="Close">
            ×
          </button>
          <div id="modal-body"></div>
        </dialog>
      </body>
    </html>
  );
}
