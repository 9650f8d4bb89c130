import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, expect, vi } from "vitest";
import type { TokenVault } from "../../durable-objects/token-vault";
import type { UserHub } from "../../durable-objects/user-hub";
import { createApp } from "../../src/app";
import { integrationConnections } from "../../src/db/schema";
import type { SourceId } from "../../src/domain/integration";
import { dexcomDateTime, parseDexcomTime } from "../../src/providers/dexcom/api";
import egvFixture from "../../src/providers/dexcom/fixtures/v3-egvs.schema-derived.json";
import { DexcomStream } from "../../src/providers/dexcom/live-stream";
import type { LiveStream, RecordSink } from "../../src/providers/types";
import { createSandboxFetch } from "../../src/sandbox/fetch";
import { issueSandboxAccessToken } from "../../src/sandbox/grants";
import { READING_INTERVAL_MS } from "../../views/glucose";
import { callbackCookie, db, get, ORIGIN, postForm, type Session, seedConnection } from "../helpers";
import { storedRecords } from "../records/inspect";

/*
 * What test/dexcom-stream/*.test.ts share (one behaviour per file). The Dexcom live stream in the person's
 * Durable Object, end to end: the alarm is its clock, the development sandbox is Dexcom (a deterministic glucose curve, released an hour late), D1 and the object's SQLite storage
 * are real.
 *
 * Time: `Date` is faked (and only `Date`), so the stream, the sandbox and the test share one clock that moves
 * only when a test moves it. The clock starts far ahead of the real one, so no alarm the stream sets is ever due
 * for real: an alarm runs only when a test runs it with runDurableObjectAlarm.
 *
 * Faults: a `DexcomUpstream` sits between the stream and the sandbox. It is the live-mode `fetch` of a
 * DexcomStream the test puts in the hub (`attach`), with tokens stored in live mode so the stream uses that fetch
 * (sandbox-mode tokens make the stream call the sandbox directly, which a test cannot observe).
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** The sandbox's (and US Dexcom's) data delay, which the stream assumes for DEXCOM_REGION "sandbox". */
export const DELAY = 60 * MINUTE;
export const T0 = Date.UTC(2040, 2, 14, 9, 0, 0);
/** When the stream should look again after a reading at `latest`: the next one's time + Dexcom's delay + a minute. */
export const dueAfter = (latest: number) => latest + READING_INTERVAL_MS + DELAY + MINUTE;

/** The shared clock: every test file of the stream calls this once at its top. */
export function useStreamClock(): void {
  beforeAll(() => {
    expect(T0, "the test clock must stay ahead of the real one, or alarms would fire on their own").toBeGreaterThan(Date.now() + 365 * DAY);
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
}

export const setClock = (t: number) => vi.setSystemTime(t);
export const hub = (userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));

// --- Dexcom, as the stream sees it --------------------------------------------------------------------------

export type Kind = "egvs" | "calibrations" | "events";
export const KINDS: Kind[] = ["egvs", "calibrations", "events"];
export type DexcomRecord = Record<string, unknown>;
export interface SeenRequest {
  path: string;
  start: number | null;
  end: number | null;
}

export const timeOf = (record: DexcomRecord) => parseDexcomTime(String(record.systemTime))!;

/**
 * The sandbox with a hand on it: requests are recorded; records can be held back (not released yet, or a gap),
 * egvs pages rewritten (reordered, repeated, out-of-range values); and the next requests can be made to fail.
 * dataRange is kept consistent with what is held back, as Dexcom's would be.
 */
export class DexcomUpstream {
  readonly requests: SeenRequest[] = [];
  readonly hosts = new Set<string>();
  hide: (kind: Kind, time: number) => boolean = () => false;
  rewriteEgvs: (records: DexcomRecord[]) => DexcomRecord[] = (records) => records;
  private readonly planned: { path: string | null; answer: () => Response | Promise<Response> }[] = [];
  private readonly holds = new Map<string, { reached: () => void; released: Promise<void> }>();
  private readonly sandbox: typeof fetch;

  constructor(testEnv: Env) {
    this.sandbox = createSandboxFetch(testEnv);
  }

  /** The next request (to `path`, or to any) answers (or throws) like this, before it reaches the sandbox. */
  failNext(answer: () => Response | Promise<Response>, path: string | null = null): void {
    this.planned.push({ path, answer });
  }

  /** The next request to `path` waits until released: a Dexcom that is slow to answer. */
  holdNext(path: string): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    this.holds.set(path, { reached, released });
    return { reached: arrived, release };
  }

  /** The requests since the last call, and forget them. */
  take(): SeenRequest[] {
    return this.requests.splice(0);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const path = url.pathname.replace("/v3/users/self/", "");
    this.hosts.add(url.host);
    const at = (name: string) => (url.searchParams.get(name) ? Date.parse(`${url.searchParams.get(name)}Z`) : null);
    this.requests.push({ path, start: at("startDate"), end: at("endDate") });
    const hold = this.holds.get(path);
    if (hold) {
      this.holds.delete(path);
      hold.reached();
      await hold.released;
    }
    const planned = this.planned.findIndex((failure) => failure.path === null || failure.path === path);
    if (planned >= 0) return this.planned.splice(planned, 1)[0]!.answer();
    const response = await this.sandbox(request);
    if (!response.ok) return response;
    if (path === "dataRange") return Response.json(await this.visibleRange((await response.json()) as Record<string, unknown>, request));
    if ((KINDS as string[]).includes(path)) {
      const body = (await response.json()) as { records: DexcomRecord[] };
      body.records = body.records.filter((record) => !this.hide(path as Kind, timeOf(record)));
      if (path === "egvs") body.records = this.rewriteEgvs(body.records);
      return Response.json(body);
    }
    return response;
  };

  /** dataRange as Dexcom would report it with the held-back records not there. */
  private async visibleRange(body: Record<string, unknown>, request: Request): Promise<Record<string, unknown>> {
    for (const kind of KINDS) {
      const span = body[kind] as { end: { systemTime: string } } | undefined;
      if (!span) continue;
      const end = parseDexcomTime(span.end.systemTime)!;
      const url = new URL(`/v3/users/self/${kind}`, request.url);
      url.searchParams.set("startDate", dexcomDateTime(end - 2 * DAY));
      url.searchParams.set("endDate", dexcomDateTime(end + 1000));
      const page = (await (await this.sandbox(url, { headers: request.headers })).json()) as { records: DexcomRecord[] };
      const newest = page.records.filter((record) => !this.hide(kind, timeOf(record))).sort((a, b) => timeOf(b) - timeOf(a))[0];
      if (!newest) throw new Error(`the test held back every ${kind} record of two days`);
      body[kind] = { ...span, end: { systemTime: newest.systemTime, displayTime: newest.displayTime } };
    }
    return body;
  }
}

/** What the sandbox holds for a token, read directly: the oracle the stream's results are checked against. */
export async function sandboxTruth(token: string) {
  const call = async (path: string, query: Record<string, string> = {}) => {
    const url = new URL(`https://sandbox-api.dexcom.com/v3/users/self/${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const response = await createSandboxFetch(env)(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  const range = await call("dataRange");
  const latest = parseDexcomTime((range.egvs as { end: { systemTime: string } }).end.systemTime)!;
  const egvs = async (start: number, end: number) =>
    ((await call("egvs", { startDate: dexcomDateTime(start), endDate: dexcomDateTime(end) })).records as DexcomRecord[]).sort((a, b) => timeOf(a) - timeOf(b));
  return { latest, egvs };
}

// --- the person and their object ------------------------------------------------------------------------------

export type StreamRow = {
  record_id: string;
  system_time: number;
  mgdl: number;
  trend: string;
  status: string | null;
};

export type HubInternals = { live: Map<SourceId, LiveStream>; vault: TokenVault; recordSink: RecordSink; env: Env };

/** Puts a stream whose live-mode fetch is `upstream` into the hub (until the object is evicted). */
export async function attach(stub: DurableObjectStub<UserHub>, upstream: DexcomUpstream, envOverride: Partial<Env> = {}): Promise<void> {
  await runInDurableObject(stub, (instance: UserHub, state) => {
    const internals = instance as unknown as HubInternals;
    const tokens = {
      getAccessToken: (userId: string, source: SourceId, options?: { forceRefresh?: boolean }) => internals.vault.accessToken(userId, source, options),
    };
    internals.live.set(
      "dexcom",
      new DexcomStream(state.storage.sql, { ...internals.env, ...envOverride }, tokens, internals.recordSink, { fetch: upstream.fetch }),
    );
  });
}

/** The stream's own readings in the object (time order, since `since`), read from its storage. */
export async function heldReadings(stub: DurableObjectStub<UserHub>, since: number) {
  return runInDurableObject(stub, (_instance: UserHub, state) =>
    state.storage.sql
      .exec<StreamRow>("SELECT * FROM glucose_recent WHERE system_time >= ? ORDER BY system_time", since)
      .toArray()
      .map((row) => ({ time: row.system_time, mgdl: row.mgdl, trend: row.trend, ...(row.status === null ? {} : { status: row.status }) })),
  );
}

/** The object's view: its alarm, the stream's state and the readings it holds. */
export async function objectState(stub: DurableObjectStub<UserHub>) {
  return runInDurableObject(stub, async (_instance: UserHub, state) => {
    const sql = state.storage.sql;
    const has = (table: string) => sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table).toArray().length > 0;
    return {
      alarm: await state.storage.getAlarm(),
      stream: has("dexcom_stream")
        ? Object.fromEntries(
            sql
              .exec<{ key: string; value: string }>("SELECT key, value FROM dexcom_stream")
              .toArray()
              .map((row) => [row.key, row.value]),
          )
        : {},
      readings: has("glucose_recent") ? sql.exec<StreamRow>("SELECT * FROM glucose_recent ORDER BY system_time").toArray() : [],
      databaseSize: sql.databaseSize,
    };
  });
}

/** The glucose readings in the person's record store (in their object), oldest first. */
export async function storedGlucose(userId: string) {
  const rows = await storedRecords(userId, { kind: "glucose_reading" });
  return rows.map((row) => ({ id: row.external_id, time: row.start_time, data: JSON.parse(row.data) as Record<string, any>, updatedAt: row.updated_at }));
}

export async function connection(userId: string) {
  const [row] = await db()
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.userId, userId), eq(integrationConnections.sourceId, "dexcom")));
  return row!;
}

/**
 * A person whose Dexcom tokens are in their hub (live mode, a sandbox-issued access token valid for the test's
 * whole span) and whose stream fetches through a DexcomUpstream. The stream is started: its first alarm is due now.
 */
export async function streamingPerson(name: string, options: { session?: Session; envOverride?: Partial<Env>; subject?: string } = {}) {
  const userId = options.session?.userId ?? `usr_${name}_${crypto.randomUUID().slice(0, 8)}`;
  await seedConnection(userId, "dexcom", "connected", { mode: "live" });
  const stub = hub(userId);
  // A fixed sandbox subject: the same glucose curve on every run.
  const token = await issueSandboxAccessToken(env, "dexcom", options.subject ?? `sbx-stream-${name}`, 90 * 24 * 3600);
  await stub.storeTokens(userId, "dexcom", "live", {
    accessToken: token,
    refreshToken: null,
    expiresAt: Date.now() + 90 * DAY,
    scope: "offline_access",
    context: {},
  });
  const upstream = new DexcomUpstream(env);
  await attach(stub, upstream, options.envOverride);
  await stub.startLive(userId, "dexcom");
  return { userId, stub, upstream, token, truth: () => sandboxTruth(token) };
}

/** Moves the clock to the stream's alarm and runs it. */
export async function runNextAlarm(stub: DurableObjectStub<UserHub>): Promise<number> {
  const { alarm } = await objectState(stub);
  expect(alarm, "the stream has an alarm set").not.toBeNull();
  setClock(alarm!);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  return alarm!;
}

/** Connect through the sandbox's consent screen, as a browser does; the 30-day backfill jobs are captured, not run. */
export async function connectDexcom(session: Session) {
  const start = await get("/api/integrations/dexcom/start", session);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("Location")!);
  const approved = await postForm(authorize.pathname, session, { ...Object.fromEntries(authorize.searchParams), decision: "allow" });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get("Location")!);
  const backfill: unknown[] = [];
  const recordingQueue = {
    async send(body: unknown) {
      backfill.push(body);
    },
    async sendBatch(messages: Iterable<{ body: unknown }>) {
      for (const message of messages) backfill.push(message.body);
    },
  } as unknown as Queue;
  // The backfill would write the same readings to D1 concurrently; kept out so the stream's own writes are checked.
  const ctx = createExecutionContext();
  const done = await createApp().fetch(
    new Request(`${ORIGIN}${callback.pathname}${callback.search}`, { headers: { Cookie: callbackCookie(session, start) }, redirect: "manual" }),
    { ...env, SYNC_QUEUE: recordingQueue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(done.status).toBe(303);
  expect(done.headers.get("Location")).toBe("/settings?connected=dexcom");
  expect(backfill.length).toBeGreaterThan(0);
}

/** Opens the live view's WebSocket through the Worker, as the settings page does. */
export async function openLive(session: Session | null, origin: string | null = ORIGIN) {
  return exports.default.fetch(`${ORIGIN}/live/dexcom`, {
    headers: { Upgrade: "websocket", ...(origin ? { Origin: origin } : {}), ...(session ? { Cookie: session.cookie } : {}) },
    redirect: "manual",
  });
}

export function listen(socket: WebSocket) {
  const queued: string[] = [];
  const waiting: ((message: string) => void)[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  socket.addEventListener("message", (event) => {
    const message = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data as ArrayBuffer);
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queued.push(message);
  });
  socket.accept();
  return {
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise<string>((resolve) => waiting.push(resolve))),
    closed,
  };
}

/** The sandbox's own signal gaps (it drops 15 minutes a day) in a span: none, for tests that need every reading. */
export function gapsIn(records: DexcomRecord[]): number[] {
  return records.slice(1).flatMap((record, index) => (timeOf(record) - timeOf(records[index]!) > READING_INTERVAL_MS ? [timeOf(records[index]!)] : []));
}

/** The readings of `records` as the stream stores them, for comparing with what it holds. */
export function expectedRows(records: DexcomRecord[]) {
  return records.map((record) => ({ record_id: record.recordId, system_time: timeOf(record), mgdl: record.value, trend: record.trend }));
}

/**
 * createPullContext gives each request a 15-second AbortSignal.timeout, and the object counts those timers as
 * pending work: evictDurableObject waits for them (15 s per test). Tests that evict replace them with signals that
 * never fire; timeouts themselves are tested below with an injected TimeoutError.
 */
export function withoutRequestTimers() {
  vi.spyOn(AbortSignal, "timeout").mockImplementation(() => new AbortController().signal);
}

export const status =
  (code: number, headers: Record<string, string> = {}, body = "") =>
  () =>
    new Response(body, { status: code, headers });

/** Readings in Dexcom's v3 shape (from the egvs fixture), every five minutes up to `latest`, newest first. */
export function egvPage(latest: number, count: number, value: (index: number) => number, trend = "fortyFiveUp") {
  const template = egvFixture.records[1]!;
  const records = Array.from({ length: count }, (_, index) => ({
    ...template,
    recordId: `card-${latest}-${index}`,
    systemTime: dexcomDateTime(latest - index * READING_INTERVAL_MS),
    displayTime: dexcomDateTime(latest - index * READING_INTERVAL_MS - 5 * HOUR),
    value: value(index),
    trend,
    trendRate: 1.2,
  }));
  return { ...egvFixture, records };
}

export function cardHtml(page: string, source: string): string {
  const start = page.indexOf(`id="card-${source}"`);
  expect(start, `card ${source} is on the page`).toBeGreaterThan(-1);
  const end = page.indexOf("<article", start + 1);
  return page.slice(start, end === -1 ? undefined : end);
}
