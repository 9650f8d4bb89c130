import type { Context } from "hono";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Layout } from "../../views/layout";
import { ModalPage } from "../../views/modals";
import type { AppEnv } from "../app-env";

export function isHtmx(c: Context<AppEnv>): boolean {
  return c.req.header("HX-Request") === "true";
}

/** A whole page in the layout. */
export function renderPage(c: Context<AppEnv>, title: string, content: Child, status: ContentfulStatusCode = 200, options: { liveScripts?: boolean } = {}) {
  return c.html(
    <>
      {raw("<!doctype html>")}
      <Layout title={title} user={c.get("user")} csrfToken={c.get("csrfToken")} liveScripts={options.liveScripts}>
        {content}
      </Layout>
    </>,
    status,
  );
}

/** Modal content: a fragment for htmx to put in the dialog, or its own page when JavaScript is off. */
export function renderModal(c: Context<AppEnv>, title: string, content: (inPage: boolean) => Child, status: ContentfulStatusCode = 200) {
  // biome-ignore lint/complexity/noUselessFragments: the fragment turns any Child (string, array, element) into the JSX node c.html takes.
  if (isHtmx(c)) return c.html(<>{content(false)}</>, status);
  return renderPage(c, title, <ModalPage>{content(true)}</ModalPage>, status);
}
