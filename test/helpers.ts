import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { consumeSyncBatch } from "../queues/sync-consumer";
import { database } from "../src/db/client";
import { integrationConnections, users } from "../src/db/schema";
import type { SourceId, StoredConnectionStatus } from "../src/domain/integration";
import { newId, userIdFor } from "../src/lib/ids";
import type { SyncJob } from "../src/sync/jobs";

export const ORIGIN = "http://localhost:8787";

export interface Session {
  userId: string;
  email: string;
  cookie: string;
  csrfToken: string;
}

/** Signs in through the real development sign-in form and reads the CSRF token from the page it lands on. */
export async function signIn(email = `person-${crypto.randomUUID()}@example.test`): Promise<Session> {
  const response = await exports.default.fetch(`${ORIGIN}/dev/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
    body: new URLSearchParams({ email, name: "Test Person", next: "/settings" }),
    redirect: "manual",
  });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  const cookie = (response.headers.get("Set-Cookie") ?? "").split(";")[0]!;
  const page = await (await exports.default.fetch(`${ORIGIN}/settings`, { headers: { Cookie: cookie } })).text();
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrfToken) throw new Error("no CSRF token on the settings page");
  return { userId: await userIdFor(`dev:${email.toLowerCase()}`), email: email.toLowerCase(), cookie, csrfToken };
}

export function get(path: string, session?: Session, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${ORIGIN}${path}`, {
    headers: { ...(session ? { Cookie: session.cookie } : {}), ...headers },
    redirect: "manual",
  });
}

/** A same-origin form post, as a browser sends it, with the session's CSRF token unless told otherwise. */
export function postForm(
  path: string,
  session: Session | undefined,
  fields: Record<string, string>,
  options: { csrf?: boolean; headers?: Record<string, string> } = {},
): Promise<Response> {
  const body = new URLSearchParams(fields);
  if (session && options.csrf !== false) body.set("_csrf", session.csrfToken);
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: ORIGIN,
      ...(session ? { Cookie: session.cookie } : {}),
      ...options.headers,
    },
    body,
    redirect: "manual",
  });
}

export const db = () => database(env.DB);

export async function seedConnection(
  userId: string,
  sourceId: SourceId,
  status: StoredConnectionStatus,
  extra: Partial<typeof integrationConnections.$inferInsert> = {},
) {
  const now = Date.now();
  await db()
    .insert(users)
    .values({ id: userId, email: `${userId}@example.test` })
    .onConflictDoNothing();
  await db()
    .insert(integrationConnections)
    .values({ id: newId("conn"), userId, sourceId, status, mode: "sandbox", connectedAt: now, updatedAt: now, ...extra });
}

/**
 * Counts the SQL statements a D1 binding runs, directly or through its sessions, so tests can hold the settings page
 * to its query budget; and notes what each session was started from.
 */
export function countingD1(d1: D1Database): { binding: D1Database; statements: () => number; sessionsFrom: string[] } {
  const sessionsFrom: string[] = [];
  let statements = 0;
  const unwrapped = new WeakMap<object, D1PreparedStatement>();
  const countStatement = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        if (property === "bind") return (...args: unknown[]) => countStatement(value.apply(target, args));
        if (property === "all" || property === "run" || property === "first" || property === "raw") {
          return (...args: unknown[]) => {
            statements++;
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    unwrapped.set(proxy, statement);
    return proxy;
  };
  const countQueries = <T extends D1Database | D1DatabaseSession>(d1: T): T =>
    new Proxy(d1, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === "prepare") return (query: string) => countStatement(target.prepare(query));
        if (property === "batch") {
          return (list: D1PreparedStatement[]) => {
            statements += list.length;
            return target.batch(list.map((statement) => unwrapped.get(statement) ?? statement));
          };
        }
        if (property === "exec") {
          return (query: string) => {
            statements++;
            return (target as D1Database).exec(query);
          };
        }
        if (property === "withSession") {
          return (from: string) => {
            sessionsFrom.push(from);
            return countQueries((target as D1Database).withSession(from));
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const binding = countQueries(d1);
  return { binding, statements: () => statements, sessionsFrom };
}

/** A Queue binding that records what is sent instead of delivering it, so a test can run the consumer itself. */
export function recordingQueue<Body = unknown>(): Queue<Body> & { sent: Body[] } {
  const sent: Body[] = [];
  return {
    sent,
    async send(body: Body) {
      sent.push(body);
    },
    async sendBatch(messages: Iterable<MessageSendRequest<Body>>) {
      for (const message of messages) sent.push(message.body);
    },
  } as unknown as Queue<Body> & { sent: Body[] };
}

/**
 * The Cookie header a browser sends to the callback: the session, plus the browser-binding nonce Connect set
 * (src/oauth/browser-binding.ts) when `start` carries one.
 */
export function callbackCookie(session: Session, start: Response): string {
  const binding = start.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0]!)
    .filter((pair) => pair.startsWith("wos_oauth_"));
  return [session.cookie, ...binding].join("; ");
}

/**
 * Connects a source the way a browser does (start → sandbox consent → Allow → callback). The callback runs with
 * `callbackEnv` over the test env (e.g. a recording SYNC_QUEUE, to capture the backfill jobs it enqueues).
 */
export async function connectThroughSandbox(
  source: SourceId,
  session: Session,
  options: { callbackEnv?: Partial<Env>; startQuery?: string; fhirBase?: string } = {},
): Promise<Response> {
  // A health system chosen in the dialog is posted (with the CSRF token); every other Connect is a link.
  const start = options.fhirBase
    ? await postForm(`/api/integrations/${source}/start`, session, { fhir_base: options.fhirBase })
    : await get(`/api/integrations/${source}/start${options.startQuery ?? (source === "gmail" ? "?consent=receipts-read-only" : "")}`, session);
  if (start.status !== (options.fhirBase ? 303 : 302)) throw new Error(`start answered ${start.status}`);
  const authorize = new URL(start.headers.get("Location")!);
  const approved = await postForm(authorize.pathname, session, { ...Object.fromEntries(authorize.searchParams), decision: "allow" });
  if (approved.status !== 302) throw new Error(`sandbox consent answered ${approved.status}`);
  const callback = new URL(approved.headers.get("Location")!);
  const { createApp } = await import("../src/app");
  const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${ORIGIN}${callback.pathname}${callback.search}`, { headers: { Cookie: callbackCookie(session, start) }, redirect: "manual" }),
    { ...env, ...options.callbackEnv },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

/** Whether the person's UserHub holds tokens for `source`, read from the object's own storage. */
export async function hubHoldsTokens(userId: string, source: SourceId): Promise<boolean> {
  const stub = env.USER_HUB.get(env.USER_HUB.idFromName(userId));
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vault_tokens'").toArray().length === 0) return false;
    return sql.exec("SELECT 1 FROM vault_tokens WHERE source = ?", source).toArray().length > 0;
  });
}

/** Runs sync jobs through the real sync-queue consumer as one delivered batch (first attempt); returns its verdict. */
export async function consumeSyncJobs(jobs: readonly SyncJob[]) {
  const batch = createMessageBatch(
    "wellness-sync",
    jobs.map((body, i) => ({ id: `sync-${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeSyncBatch(batch, env);
  return getQueueResult(batch, ctx);
}
