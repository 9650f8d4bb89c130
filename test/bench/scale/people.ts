// People for the scale benchmark, made the way a person makes them: the development sign-in, then for each
// source Connect → the sandbox's consent page → Allow → our OAuth callback, all over HTTP against `wrangler dev`.
// The callback is the production route: it stores the tokens in the person's UserHub, marks the connection
// connected and enqueues the 30-day backfill. Nothing here writes to D1 or the object directly.
import { createHash } from "node:crypto";

export interface Person {
  email: string;
  userId: string;
  cookie: string;
}

async function expect(response: Response, status: number, step: string): Promise<Response> {
  if (response.status !== status) throw new Error(`${step}: expected ${status}, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response;
}

/** The id the development sign-in gives an email (src/middleware/identity.ts). */
export const devUserId = (email: string) => `usr_${createHash("sha256").update(`dev:${email.toLowerCase()}`).digest("hex").slice(0, 32)}`;

export async function signIn(baseUrl: string, email: string): Promise<Person> {
  const response = await expect(
    await fetch(`${baseUrl}/dev/sign-in`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl },
      body: new URLSearchParams({ email, name: "Scale Bench", next: "/settings" }),
      redirect: "manual",
    }),
    303,
    "sign-in",
  );
  return { email, userId: devUserId(email), cookie: (response.headers.get("set-cookie") ?? "").split(";")[0]! };
}

/** Connects one source through its sandbox's consent page; resolves when the callback has answered. */
export async function connect(baseUrl: string, person: Person, source: string): Promise<void> {
  const get = (url: string) => fetch(new URL(url, baseUrl), { headers: { Cookie: person.cookie }, redirect: "manual" });
  const start = await expect(await get(`/api/integrations/${source}/start`), 302, `${source} connect start`);
  // The nonce Connect binds the authorization to (src/oauth/browser-binding.ts), which only the callback receives.
  const binding = start.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0]!)
    .filter((pair) => pair.startsWith("wos_oauth_"));
  const authorize = new URL(start.headers.get("location")!);
  if (!authorize.pathname.startsWith("/sandbox/"))
    throw new Error(`${source}: connect start sent the browser to ${authorize.origin}${authorize.pathname}, not a sandbox`);
  const consent = await (await expect(await get(authorize.pathname + authorize.search), 200, `${source} consent page`)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(consent)?.[1];
  if (!csrf) throw new Error(`${source}: the consent page has no CSRF token`);
  const allow = await expect(
    await fetch(new URL(authorize.pathname, baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl, Cookie: person.cookie },
      body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), _csrf: csrf, decision: "allow" }),
      redirect: "manual",
    }),
    302,
    `${source} consent allow`,
  );
  const callback = new URL(allow.headers.get("location")!);
  const done = await expect(
    await fetch(new URL(callback.pathname + callback.search, baseUrl), { headers: { Cookie: [person.cookie, ...binding].join("; ") }, redirect: "manual" }),
    303,
    `${source} callback`,
  );
  if (done.headers.get("location") !== `/settings?connected=${source}`) throw new Error(`${source}: callback redirected to ${done.headers.get("location")}`);
}
