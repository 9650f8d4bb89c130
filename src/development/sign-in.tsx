import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { ensureUser } from "../db/users";
import { errorResponse } from "../routes/errors";
import { renderPage } from "../routes/render";
import { safeNext } from "../security/safe-next";
import { endDevSession, startDevSession } from "./session";

const DEMO_EMAIL = "demo@wellness-os.test";

const SignInForm = z.object({
  email: z.email("Enter an email address.").max(200),
  name: z.string().trim().max(80).optional(),
});

function SignInPage({ next, error }: { next: string; error?: string | undefined }) {
  return (
    <div class="modal-page">
      <div class="modal-content">
        <h1 id="modal-title">Development sign-in</h1>
        <p>
          This page exists only when <code>ENVIRONMENT=development</code>. In production, Cloudflare Access signs people in.
        </p>
        {error ? (
          <p class="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <form method="post" action="/dev/sign-in">
          <input type="hidden" name="next" value={next} />
          <div class="field">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" value={DEMO_EMAIL} required autofocus />
          </div>
          <div class="field">
            <label for="name">Name (optional)</label>
            <input id="name" name="name" autocomplete="name" />
          </div>
          <button type="submit" class="btn btn-primary">
            Sign in
          </button>
        </form>
      </div>
    </div>
  );
}

/** Mounted at /dev by the development entry, and answering only when ENVIRONMENT=development. */
export const signInRoutes = new Hono<AppEnv>()
  .get("/sign-in", (c) => renderPage(c, "Sign in", <SignInPage next={safeNext(c.req.query("next"), new URL(c.req.url).origin)} />))
  .post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    // Only paths that stay on this site are followed after sign-in.
    const next = safeNext(typeof form.next === "string" ? form.next : undefined, new URL(c.req.url).origin);
    const parsed = SignInForm.safeParse({ email: form.email, name: form.name || undefined });
    if (!parsed.success) {
      return renderPage(c, "Sign in", <SignInPage next={next} error={parsed.error.issues[0]?.message} />, 422);
    }
    const user = await startDevSession(c, parsed.data.email.toLowerCase(), parsed.data.name ?? null);
    await ensureUser(c.get("db"), user);
    return c.redirect(next, 303);
  })
  .post("/sign-out", (c) => {
    if (!c.get("user")) return errorResponse(c, 401, "You are not signed in.");
    endDevSession(c);
    return c.redirect("/dev/sign-in", 303);
  });
