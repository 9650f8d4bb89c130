import { createExecutionContext, evictDurableObject, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DexcomStream, RECENT_WINDOW_MS, nextAlarmAt } from "../durable-objects/dexcom-stream";
import { dexcomDelayMs } from "../src/providers/dexcom/auth";
import type { TokenVault } from "../durable-objects/token-vault";
import type { UserHub } from "../durable-objects/user-hub";
import { createApp } from "../src/app";
import { integrationConnections } from "../src/db/schema";
import { mgdlToMmoll, mmollToMgdl } from "../src/domain/units";
import { dexcomDateTime, parseDexcomTime } from "../src/providers/dexcom/api";
import { normalizeDexcom } from "../src/providers/dexcom/normalize";
import egvFixture from "../src/providers/dexcom/fixtures/v3-egvs.schema-derived.json";
import { createSandboxFetch } from "../src/sandbox/fetch";
import { issueSandboxAccessToken } from "../src/sandbox/grants";
import { storeRecords } from "../src/sync/store-records";
import type { RecordStore } from "../durable-objects/records/store";
import { storedRecords } from "./records/inspect";
import { GlucoseLive, READING_INTERVAL_MS, STALE_URGENT_MS, STALE_WARN_MS, staleness } from "../views/glucose";
import { ORIGIN, db, get, postForm, seedConnection, signIn, type Session } from "./helpers";

/*
 * The Dexcom live stream in the person's Durable Object, end to end: the alarm is its clock, the development
 * sandbox is Dexcom (a deterministic glucose curve, released an hour late), D1 and the object's SQLite storage
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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The sandbox's (and US Dexcom's) data delay, which the stream assumes for DEXCOM_REGION "sandbox". */
const DELAY = HOUR;
const T0 = Date.UTC(2040, 2, 14, 9, 0, 0);
/** When the stream should look again after a reading at `latest`: the next one's time + Dexcom's delay + a minute. */
const dueAfter = (latest: number) => latest + READING_INTERVAL_MS + DELAY + MINUTE;

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

const setClock = (t: number) => vi.setSystemTime(t);
const hub = (userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));

// --- Dexcom, as the stream sees it --------------------------------------------------------------------------

type Kind = "egvs" | "calibrations" | "events";
const KINDS: Kind[] = ["egvs", "calibrations", "events"];
type DexcomRecord = Record<string, unknown>;
interface SeenRequest {
  path: string;
  start: number | null;
  end: number | null;
}

const timeOf = (record: DexcomRecord) => parseDexcomTime(String(record.systemTime))!;

/**
 * The sandbox with a hand on it: requests are recorded; records can be held back (not released yet, or a gap),
 * egvs pages rewritten (reordered, repeated, out-of-range values); and the next requests can be made to fail.
 * dataRange is kept consistent with what is held back, as Dexcom's would be.
 */
class DexcomUpstream {
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
async function sandboxTruth(token: string) {
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

type StreamRow = {
  record_id: string;
  system_time: number;
  mgdl: number;
  trend: string;
  status: string | null;
};

type HubInternals = { dexcom: DexcomStream; vault: TokenVault; records: RecordStore; env: Env };

/** Puts a stream whose live-mode fetch is `upstream` into the hub (until the object is evicted). */
async function attach(stub: DurableObjectStub<UserHub>, upstream: DexcomUpstream, envOverride: Partial<Env> = {}): Promise<void> {
  await runInDurableObject(stub, (instance: UserHub, state) => {
    const internals = instance as unknown as HubInternals;
    internals.dexcom = new DexcomStream(state.storage.sql, { ...internals.env, ...envOverride }, internals.vault, internals.records, { fetch: upstream.fetch });
  });
}

/** The object's view: its alarm, the stream's state and the readings it holds. */
async function objectState(stub: DurableObjectStub<UserHub>) {
  return runInDurableObject(stub, async (_instance: UserHub, state) => {
    const sql = state.storage.sql;
    const has = (table: string) => sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table).toArray().length > 0;
    return {
      alarm: await state.storage.getAlarm(),
      stream: has("dexcom_stream") ? Object.fromEntries(sql.exec<{ key: string; value: string }>("SELECT key, value FROM dexcom_stream").toArray().map((row) => [row.key, row.value])) : {},
      readings: has("glucose_recent") ? sql.exec<StreamRow>("SELECT * FROM glucose_recent ORDER BY system_time").toArray() : [],
      databaseSize: sql.databaseSize,
    };
  });
}

/** The glucose readings in the person's record store (in their object), oldest first. */
async function storedGlucose(userId: string) {
  const rows = await storedRecords(userId, { kind: "glucose_reading" });
  return rows.map((row) => ({ id: row.external_id, time: row.start_time, data: JSON.parse(row.data) as Record<string, any>, updatedAt: row.updated_at }));
}

async function connection(userId: string) {
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
async function streamingPerson(name: string, options: { session?: Session; envOverride?: Partial<Env>; subject?: string } = {}) {
  const userId = options.session?.userId ?? `usr_${name}_${crypto.randomUUID().slice(0, 8)}`;
  await seedConnection(userId, "dexcom", "connected", { mode: "live" });
  const stub = hub(userId);
  // A fixed sandbox subject: the same glucose curve on every run.
  const token = await issueSandboxAccessToken(env, "dexcom", options.subject ?? `sbx-stream-${name}`, 90 * 24 * 3600);
  await stub.storeTokens(userId, "dexcom", "live", { accessToken: token, refreshToken: null, expiresAt: Date.now() + 90 * DAY, scope: "offline_access", context: {} });
  const upstream = new DexcomUpstream(env);
  await attach(stub, upstream, options.envOverride);
  await stub.startDexcomStream(userId);
  return { userId, stub, upstream, token, truth: () => sandboxTruth(token) };
}

/** Moves the clock to the stream's alarm and runs it. */
async function runNextAlarm(stub: DurableObjectStub<UserHub>): Promise<number> {
  const { alarm } = await objectState(stub);
  expect(alarm, "the stream has an alarm set").not.toBeNull();
  setClock(alarm!);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  return alarm!;
}

/** Connect through the sandbox's consent screen, as a browser does; the 30-day backfill jobs are captured, not run. */
async function connectDexcom(session: Session) {
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
    new Request(`${ORIGIN}${callback.pathname}${callback.search}`, { headers: { Cookie: session.cookie }, redirect: "manual" }),
    { ...env, SYNC_QUEUE: recordingQueue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(done.status).toBe(303);
  expect(done.headers.get("Location")).toBe("/settings?connected=dexcom");
  expect(backfill.length).toBeGreaterThan(0);
}

/** Opens the live view's WebSocket through the Worker, as the settings page does. */
async function openLive(session: Session | null, origin: string | null = ORIGIN) {
  return exports.default.fetch(`${ORIGIN}/live/dexcom`, {
    headers: { Upgrade: "websocket", ...(origin ? { Origin: origin } : {}), ...(session ? { Cookie: session.cookie } : {}) },
    redirect: "manual",
  });
}

function listen(socket: WebSocket) {
  const queued: string[] = [];
  const waiting: ((message: string) => void)[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })));
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
function gapsIn(records: DexcomRecord[]): number[] {
  return records.slice(1).flatMap((record, index) => (timeOf(record) - timeOf(records[index]!) > READING_INTERVAL_MS ? [timeOf(records[index]!)] : []));
}

/** The readings of `records` as the stream stores them, for comparing with what it holds. */
function expectedRows(records: DexcomRecord[]) {
  return records.map((record) => ({ record_id: record.recordId, system_time: timeOf(record), mgdl: record.value, trend: record.trend }));
}

// --- 1. the first look after connecting ---------------------------------------------------------------------

describe("Dexcom live stream: the first alarm after connecting", () => {
  it("stores the last day of readings in the live window and the record store, marks the connection, and waits for the next reading", async () => {
    const session = await signIn("first-alarm@stream.test");
    await connectDexcom(session);
    const stub = hub(session.userId);

    // Connecting starts the stream: the first look is due at once.
    const started = await objectState(stub);
    expect(started.alarm).toBe(T0);
    expect(started.stream.enabled).toBe("1");
    expect(started.readings).toEqual([]);
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const access = await stub.getAccessToken(session.userId, "dexcom");
    if (!access.ok) throw new Error("no access token after connecting");
    expect(access.mode).toBe("sandbox");
    const truth = await sandboxTruth(access.accessToken);
    // Dexcom's newest reading is an hour old: the sandbox releases data with the US delay.
    expect(truth.latest).toBeLessThanOrEqual(T0 - DELAY);
    expect(truth.latest).toBeGreaterThan(T0 - DELAY - READING_INTERVAL_MS);
    const day = await truth.egvs(truth.latest - RECENT_WINDOW_MS, truth.latest + 1000);
    expect(day.length).toBeGreaterThan(280);

    const after = await objectState(stub);
    expect(after.readings.map(({ status: _status, ...row }) => row)).toEqual(expectedRows(day));

    const rows = await storedGlucose(session.userId);
    expect(rows.map((row) => row.id)).toEqual(day.map((record) => record.recordId));
    for (const [index, row] of rows.entries()) {
      const record = day[index]!;
      expect(row.time).toBe(timeOf(record));
      expect(row.data.blood_glucose).toEqual({ value: record.value, unit: "mg/dL" });
      expect(row.data.blood_glucose_molar).toEqual({ value: mgdlToMmoll(record.value as number), unit: "mmol/L" });
      expect(row.data.trend).toBe(record.trend);
    }
    // Calibrations and events the sandbox logged in that day were written too (dataRange said they exist).
    const others = await storedRecords(session.userId);
    expect(new Set(others.map((row) => row.kind))).toEqual(new Set(["glucose_reading", "glucose_calibration", "cgm_event"]));

    expect(await connection(session.userId)).toMatchObject({ status: "connected", lastSuccessAt: T0, lastSyncAt: T0, lastError: null });
    // The next reading is taken 5 minutes after the newest and released an hour later: look then (plus a minute).
    expect(dueAfter(truth.latest)).toBeGreaterThan(T0 + MINUTE);
    expect(after.alarm).toBe(dueAfter(truth.latest));
    expect(after.stream.failures).toBe("0");
  });

  it("asks dataRange first and fetches exactly the day it reports, in one egvs request", async () => {
    const person = await streamingPerson("first-requests");
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    const requests = person.upstream.take();
    expect(requests[0]).toEqual({ path: "dataRange", start: null, end: null });
    expect(requests.filter((request) => request.path === "egvs")).toEqual([{ path: "egvs", start: latest - RECENT_WINDOW_MS, end: latest + 1000 }]);
    // Calibrations and events only because dataRange says they exist; nothing else.
    expect(requests.map((request) => request.path).sort()).toEqual(["calibrations", "dataRange", "egvs", "events"]);
  });

  it("waits three hours of delay outside the US", async () => {
    const person = await streamingPerson("first-eu", { envOverride: { DEXCOM_REGION: "eu" } });
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    expect(dexcomDelayMs({ DEXCOM_REGION: "eu" })).toBe(3 * HOUR);
    expect(dexcomDelayMs({ DEXCOM_REGION: "jp" })).toBe(3 * HOUR);
    expect(dexcomDelayMs({ DEXCOM_REGION: "us" })).toBe(HOUR);
    expect((await objectState(person.stub)).alarm).toBe(latest + READING_INTERVAL_MS + 3 * HOUR + MINUTE);
    // Dexcom's EU host is the one asked (the sandbox answers for every region's host).
    expect([...person.upstream.hosts]).toEqual(["api.dexcom.eu"]);
  });
});

// --- 2. nothing new, overlap, duplicates, order ---------------------------------------------------------------

describe("Dexcom live stream: later alarms", () => {
  it("with nothing new asks only dataRange, writes nothing, and looks again in five minutes", async () => {
    const person = await streamingPerson("nothing-new");
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    const before = await objectState(person.stub);
    const rowsBefore = await storedGlucose(person.userId);
    person.upstream.take();

    // Dexcom is late: the reading due after `latest` is not released when the alarm comes.
    person.upstream.hide = (kind, t) => kind === "egvs" && t > latest;
    const ranAt = await runNextAlarm(person.stub);
    expect(ranAt).toBe(dueAfter(latest));
    expect(person.upstream.take()).toEqual([{ path: "dataRange", start: null, end: null }]);
    const after = await objectState(person.stub);
    expect(after.readings).toEqual(before.readings);
    expect(await storedGlucose(person.userId)).toEqual(rowsBefore);
    // The moment has passed: poll on the reading cadence until it comes.
    expect(after.alarm).toBe(ranAt + READING_INTERVAL_MS);
    expect((await connection(person.userId)).lastSuccessAt).toBe(ranAt);
  });

  it("re-reads half an hour of overlap, and readings that come again (or twice, or out of order) are stored once", async () => {
    const person = await streamingPerson("dedupe");
    const first = await person.truth();
    expect(gapsIn(await first.egvs(first.latest - 4 * HOUR, first.latest + 1000)), "this sandbox person has every reading of the last hours").toEqual([]);
    // One reading 15 minutes before the newest arrives late (out of order); the first look does not see it.
    const late = first.latest - 3 * READING_INTERVAL_MS;
    person.upstream.hide = (kind, t) => kind === "egvs" && t === late;
    await runNextAlarm(person.stub);
    const firstRows = await storedGlucose(person.userId);
    expect(firstRows.some((row) => row.time === late)).toBe(false);
    person.upstream.take();

    // Next look: the late reading is there now, the page comes shuffled and with every record twice.
    person.upstream.hide = () => false;
    person.upstream.rewriteEgvs = (records) => [...records, ...records].sort((a, b) => String(a.recordId).localeCompare(String(b.recordId)));
    const ranAt = await runNextAlarm(person.stub);
    const requests = person.upstream.take();
    const egvs = requests.filter((request) => request.path === "egvs");
    expect(egvs).toHaveLength(1);
    // From half an hour before the newest stored reading (the late one's hole is inside it): no refetch of the day.
    expect(egvs[0]!.start).toBe(first.latest - 30 * MINUTE);

    const truth = await person.truth();
    expect(truth.latest).toBe(first.latest + READING_INTERVAL_MS);
    const day = await truth.egvs(first.latest - RECENT_WINDOW_MS, truth.latest + 1000);
    const rows = await storedGlucose(person.userId);
    expect(rows.map((row) => row.id)).toEqual(day.map((record) => record.recordId));
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    // Readings from the first look that came again were not rewritten.
    const unchanged = rows.filter((row) => firstRows.some((old) => old.id === row.id));
    expect(unchanged.every((row) => row.updatedAt === T0)).toBe(true);
    expect(rows.filter((row) => row.updatedAt === ranAt).map((row) => row.time)).toEqual([late, truth.latest]);

    // The object keeps the day before its newest reading, in time order whatever order they arrived in.
    const kept = day.filter((record) => timeOf(record) >= truth.latest - RECENT_WINDOW_MS);
    const readings = await person.stub.dexcomReadings(person.userId, 0);
    expect(readings.map((point) => point.time)).toEqual(kept.map(timeOf));
    expect(readings.find((point) => point.time === late)).toMatchObject({ mgdl: day.find((record) => timeOf(record) === late)!.value });
    expect((await objectState(person.stub)).readings).toHaveLength(kept.length);
  });

  it("keeps one day in the live window as it moves on; the record store keeps everything", async () => {
    const person = await streamingPerson("rolling-day");
    await runNextAlarm(person.stub);
    const first = await person.truth();
    // Two hours later, one look catches up.
    setClock(T0 + 2 * HOUR);
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    const truth = await person.truth();
    const state = await objectState(person.stub);
    expect(state.readings[0]!.system_time).toBeGreaterThanOrEqual(truth.latest - RECENT_WINDOW_MS);
    expect(state.readings.at(-1)!.system_time).toBe(truth.latest);
    const rows = await storedGlucose(person.userId);
    expect(rows[0]!.time).toBe(timeOf((await truth.egvs(first.latest - RECENT_WINDOW_MS, first.latest + 1000))[0]!));
    expect(rows.length).toBeGreaterThan(state.readings.length);
  });
});

// --- 3. gaps ----------------------------------------------------------------------------------------------------

describe("Dexcom live stream: gaps", () => {
  it("fills an hour Dexcom had nothing for on the first look after it arrives", async () => {
    const person = await streamingPerson("gap-outage");
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    person.upstream.take();

    // The phone was out of reach for an hour: nothing new reaches Dexcom. Every look is one dataRange request.
    person.upstream.hide = (kind, t) => kind === "egvs" && t > latest;
    let ranAt = 0;
    for (let look = 0; look < 12; look++) ranAt = await runNextAlarm(person.stub);
    expect(ranAt).toBe(dueAfter(latest) + 11 * READING_INTERVAL_MS);
    expect(person.upstream.take().map((request) => request.path)).toEqual(Array(12).fill("dataRange"));

    // It uploads the hour at once: the next look fills it.
    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    const truth = await person.truth();
    expect(truth.latest - latest).toBeGreaterThanOrEqual(HOUR);
    const hour = await truth.egvs(latest + 1000, truth.latest + 1000);
    expect(hour.length).toBeGreaterThanOrEqual(12);
    const readings = await person.stub.dexcomReadings(person.userId, latest + 1);
    expect(readings.map((point) => point.time)).toEqual(hour.map(timeOf));
    const rows = await storedGlucose(person.userId);
    expect(rows.filter((row) => row.time > latest).map((row) => row.id)).toEqual(hour.map((record) => record.recordId));
    expect((await objectState(person.stub)).alarm).toBe(dueAfter(truth.latest));
  });

  it("fills a gap that Dexcom receives after newer readings (a late backfill)", async () => {
    const person = await streamingPerson("gap-backfill");
    await runNextAlarm(person.stub);
    // Two hours on, Dexcom has the newest readings but an hour before them is still missing.
    setClock(T0 + 2 * HOUR);
    const { latest } = await person.truth();
    const gap = { from: latest - 70 * MINUTE, to: latest - 10 * MINUTE };
    person.upstream.hide = (kind, t) => kind === "egvs" && t >= gap.from && t < gap.to;
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    // Only the three readings after the gap arrived.
    expect(await person.stub.dexcomReadings(person.userId, gap.from)).toHaveLength(3);

    // The backfill lands on the next look.
    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    const truth = await person.truth();
    const since = await truth.egvs(gap.from, truth.latest + 1000);
    expect((await person.stub.dexcomReadings(person.userId, gap.from)).map((point) => point.time)).toEqual(since.map(timeOf));
    const rows = await storedGlucose(person.userId);
    expect(rows.filter((row) => row.time >= gap.from).map((row) => row.id)).toEqual(since.map((record) => record.recordId));
  });

  it("re-reads a hole Dexcom never fills only while it is in the last three hours", async () => {
    // This sandbox person's sensor lost signal for 15 minutes two hours before the newest reading.
    const person = await streamingPerson("signal-gap", { subject: "sbx-stream-overlap" });
    const first = await person.truth();
    const [hole] = gapsIn(await first.egvs(first.latest - 3 * HOUR, first.latest + 1000));
    expect(hole).toBeDefined();
    await runNextAlarm(person.stub);
    person.upstream.take();
    // Each new reading brings a re-read from just before the hole, not the whole day.
    await runNextAlarm(person.stub);
    expect(person.upstream.take().find((request) => request.path === "egvs")?.start).toBe(hole);
    // Hours on, the hole has left the window: back to the half-hour overlap.
    setClock(hole! + 4 * HOUR + DELAY);
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    person.upstream.take();
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    expect(person.upstream.take().find((request) => request.path === "egvs")?.start).toBe(latest - READING_INTERVAL_MS - 30 * MINUTE);
  });
});


// --- 4. eviction ------------------------------------------------------------------------------------------------

/**
 * createPullContext gives each request a 15-second AbortSignal.timeout, and the object counts those timers as
 * pending work: evictDurableObject waits for them (15 s per test). Tests that evict replace them with signals that
 * never fire; timeouts themselves are tested below with an injected TimeoutError.
 */
function withoutRequestTimers() {
  vi.spyOn(AbortSignal, "timeout").mockImplementation(() => new AbortController().signal);
}

describe("Dexcom live stream: eviction and restarts", () => {
  it("carries on from storage after the object is evicted: same alarm, no refetch of the day", async () => {
    withoutRequestTimers();
    const person = await streamingPerson("evicted");
    await runNextAlarm(person.stub);
    const before = await objectState(person.stub);
    const latest = before.readings.at(-1)!.system_time;
    await runInDurableObject(person.stub, (instance: UserHub) => {
      (instance as unknown as { marker?: string }).marker = "old instance";
    });

    await evictDurableObject(person.stub);
    const after = await objectState(person.stub);
    expect(await runInDurableObject(person.stub, (instance: UserHub) => (instance as unknown as { marker?: string }).marker)).toBeUndefined();
    // Everything the stream needs was in storage: it is still on, its alarm still set, its day of readings kept.
    expect(after.alarm).toBe(before.alarm);
    expect(after.stream).toEqual(before.stream);
    expect(after.readings).toEqual(before.readings);

    // The new instance's stream (given the test's Dexcom again: the injection lived in memory) picks up from there.
    await attach(person.stub, person.upstream);
    person.upstream.take();
    await runNextAlarm(person.stub);
    const requests = person.upstream.take();
    expect(requests.map((request) => request.path)).toEqual(["dataRange", "egvs"]);
    expect(requests[1]!.start).toBe(latest - 30 * MINUTE);
    const { latest: newest } = await person.truth();
    expect(newest).toBe(latest + READING_INTERVAL_MS);
    const state = await objectState(person.stub);
    expect(state.readings.at(-1)!.system_time).toBe(newest);
    expect(state.alarm).toBe(dueAfter(newest));
  });
});

// --- 5. disconnecting -------------------------------------------------------------------------------------------

describe("Dexcom live stream: disconnecting", () => {
  it("stops the stream, closes live pages and forgets the object's readings; a stray alarm does nothing", async () => {
    withoutRequestTimers();
    const session = await signIn("disconnect@stream.test");
    await connectDexcom(session);
    const stub = hub(session.userId);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Evicted between looks, the hub's own stream (sandbox mode, nothing injected) carries on from storage.
    const first = await objectState(stub);
    await evictDurableObject(stub);
    await runNextAlarm(stub);
    const second = await objectState(stub);
    expect(second.readings.length).toBeGreaterThanOrEqual(first.readings.length);
    expect(second.readings.at(-1)!.system_time).toBe(first.readings.at(-1)!.system_time + READING_INTERVAL_MS);
    const rowsBefore = await storedGlucose(session.userId);

    const live = await openLive(session);
    expect(live.status).toBe(101);
    const page = listen(live.webSocket!);
    expect(await page.next()).toContain("As of");

    const response = await postForm("/api/integrations/dexcom/disconnect", session, {});
    expect(response.status).toBe(303);
    expect(await page.closed).toEqual({ code: 1000, reason: "Dexcom disconnected" });

    const state = await objectState(stub);
    expect(state.alarm).toBeNull();
    expect(state.stream).toEqual({});
    expect(state.readings).toEqual([]);
    expect(await stub.dexcomReadings(session.userId, 0)).toEqual([]);
    expect(await runDurableObjectAlarm(stub)).toBe(false);

    // An alarm already on its way when the person disconnected: no request, no write, no new alarm.
    const disconnected = await connection(session.userId);
    expect(disconnected.status).toBe("disconnected");
    await runInDurableObject(stub, (instance: UserHub) => instance.alarm());
    expect(await objectState(stub)).toMatchObject({ alarm: null, stream: {}, readings: [] });
    expect(await connection(session.userId)).toEqual(disconnected);
    // Without "delete my data", the readings already synced stay in D1.
    expect(await storedGlucose(session.userId)).toEqual(rowsBefore);
  });

  it("writes nothing when the person disconnects (deleting their data) while a look waits on Dexcom", async () => {
    const session = await signIn("disconnect-race@stream.test");
    const person = await streamingPerson("disconnect-race", { session });
    const slow = person.upstream.holdNext("egvs");
    const running = runDurableObjectAlarm(person.stub);
    // Awaited and released from inside the object: a promise settled in one object's context resumes its waiters
    // in that context, so the test's own code must not wait on it directly.
    await runInDurableObject(person.stub, () => slow.reached);

    const response = await postForm("/api/integrations/dexcom/disconnect", session, { delete_data: "yes" });
    expect(response.status).toBe(303);
    await runInDurableObject(person.stub, () => slow.release());
    expect(await running).toBe(true);

    expect(await storedGlucose(person.userId)).toEqual([]);
    expect(await storedRecords(person.userId)).toEqual([]);
    expect(await objectState(person.stub)).toMatchObject({ alarm: null, stream: {}, readings: [] });
    expect((await connection(person.userId)).lastSuccessAt).toBeNull();
  });
});

// --- 6. failures ------------------------------------------------------------------------------------------------

const status = (code: number, headers: Record<string, string> = {}, body = "") => () => new Response(body, { status: code, headers });

describe("Dexcom live stream: failures", () => {
  it("waits exactly as long as Retry-After asks, in seconds or as a date", async () => {
    const person = await streamingPerson("rate-limit");
    await runNextAlarm(person.stub);
    person.upstream.failNext(status(429, { "Retry-After": "120" }));
    let ranAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(ranAt + 120_000);

    person.upstream.failNext(status(429, { "Retry-After": new Date(Date.now() + 120_000 + 15 * MINUTE).toUTCString() }));
    ranAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(ranAt + 15 * MINUTE);
    // A 503 may carry Retry-After too.
    person.upstream.failNext(status(503, { "Retry-After": "900" }));
    ranAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(ranAt + 900_000);
    expect((await objectState(person.stub)).stream.failures).toBe("3");
  });

  it("backs off 5, 10, 20, 30, 30 minutes on server errors, timeouts and broken bodies, and a success resets it", async () => {
    const person = await streamingPerson("backoff");
    await runNextAlarm(person.stub);
    const lastSuccess = (await connection(person.userId)).lastSuccessAt;
    const readingsBefore = (await objectState(person.stub)).readings;
    const failures = [
      status(503, {}, "Service Unavailable"),
      // egvs fails after dataRange answered: nothing of the look is kept.
      status(500),
      // What fetch throws when the request's AbortSignal.timeout fires.
      () => Promise.reject(new DOMException("The operation timed out.", "TimeoutError")),
      // A maintenance page with 200: not Dexcom's envelope.
      status(200, { "Content-Type": "text/html" }, "<html>Down for maintenance</html>"),
      status(429),
    ];
    const expected = [5, 10, 20, 30, 30].map((minutes) => minutes * MINUTE);
    setClock((await objectState(person.stub)).alarm!);
    for (const [index, failure] of failures.entries()) {
      person.upstream.failNext(failure, index === 1 ? "egvs" : null);
      const ranAt = await runNextAlarm(person.stub);
      const state = await objectState(person.stub);
      expect(state.alarm, `failure ${index + 1}`).toBe(ranAt + expected[index]!);
      expect(state.stream.failures).toBe(String(index + 1));
      expect(state.readings).toEqual(readingsBefore);
    }
    expect((await connection(person.userId)).lastSuccessAt).toBe(lastSuccess);

    // Dexcom answers again: the missed hour and a half is filled, the schedule is back on the readings' cadence.
    const ranAt = await runNextAlarm(person.stub);
    const state = await objectState(person.stub);
    expect(state.stream.failures).toBe("0");
    const truth = await person.truth();
    expect(state.readings.at(-1)!.system_time).toBe(truth.latest);
    expect(state.alarm).toBe(Math.max(dueAfter(truth.latest), ranAt + READING_INTERVAL_MS));
    expect((await connection(person.userId)).lastSuccessAt).toBe(ranAt);
  });

  it("counts an unexpected error in a look as a failure, and an alarm that throws still sets the next one", async () => {
    const person = await streamingPerson("throws");
    // The body breaks off while being read: not a Dexcom error the stream knows, still retried with backoff.
    person.upstream.failNext(() => new Response(new ReadableStream({ start: (controller) => controller.error(new Error("connection reset")) }), { status: 200 }));
    const ranAt = await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + 5 * MINUTE, stream: { failures: "1" } });

    // The tick itself throws (storage, a bug): the alarm handler logs it and keeps the stream's clock running.
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    await runInDurableObject(person.stub, (instance: UserHub) => {
      vi.spyOn((instance as unknown as HubInternals).dexcom, "tick").mockRejectedValueOnce(new TypeError("storage went away"));
    });
    const threwAt = await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).alarm).toBe(threwAt + READING_INTERVAL_MS);
    expect(logged).toHaveBeenCalledWith(JSON.stringify({ event: "dexcom_stream_alarm_failed", name: "TypeError" }));

    // And the next look works as usual.
    await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).stream.failures).toBe("0");
  });

  it("writes each look's records into the person's own record store, none to D1", async () => {
    const person = await streamingPerson("one-batch");
    const batches: number[] = [];
    const countingDb = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => {
            batches.push(statements.length);
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await attach(person.stub, person.upstream, { DB: countingDb });
    await runNextAlarm(person.stub);
    // A day of readings plus that day's calibrations and events, in the object: D1 sees no record batch.
    expect(batches).toEqual([]);
    const written = await storedRecords(person.userId, { source: "dexcom" });
    expect(written.length).toBeGreaterThan(280);
  });

  it("never looks again sooner than a minute, whatever Retry-After says, and honours long ones", () => {
    expect(nextAlarmAt({ latestReadingAt: null, failures: 1, retryAfterSeconds: 0 }, T0, DELAY)).toBe(T0 + MINUTE);
    expect(nextAlarmAt({ latestReadingAt: T0 - DELAY, failures: 9, retryAfterSeconds: 3600 }, T0, DELAY)).toBe(T0 + HOUR);
  });

  it("looks every five minutes for a person whose Dexcom has no readings yet, asking nothing but dataRange", async () => {
    const person = await streamingPerson("no-readings");
    // A new account: dataRange lists no kind at all.
    person.upstream.failNext(() => Response.json({ recordType: "dataRange", recordVersion: "3.0", userId: "5b329ebcfbf2f0ba7e49d4c5eb57775468f5ee657ac16fcde07e1fd08197b4c7" }));
    const ranAt = await runNextAlarm(person.stub);
    expect(person.upstream.take().map((request) => request.path)).toEqual(["dataRange"]);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + READING_INTERVAL_MS, readings: [], stream: { failures: "0" } });
    expect((await connection(person.userId)).lastSuccessAt).toBe(ranAt);
  });

  it("tries again later when renewing access fails for now, and stops when Dexcom refuses it for good", async () => {
    const person = await streamingPerson("refresh-unavailable");
    // Dexcom says 401; renewing cannot complete right now (here: no live client configured, which the vault
    // treats like any passing failure): the tokens are kept, so this is a failure to retry.
    await person.stub.storeTokens(person.userId, "dexcom", "live", { accessToken: person.token, refreshToken: "refresh-me", expiresAt: Date.now() + 90 * DAY, scope: null, context: {} });
    vi.spyOn(console, "warn").mockImplementation(() => {});
    person.upstream.failNext(status(401));
    const ranAt = await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + 5 * MINUTE, stream: { enabled: "1", failures: "1" } });
    expect(await connection(person.userId)).toMatchObject({ status: "connected", statusReason: null });
    expect(await person.stub.hasTokens(person.userId, "dexcom")).toBe(true);

    // Without a refresh token, a 401 means the access is gone: reconnect needed, the stream stops.
    await person.stub.storeTokens(person.userId, "dexcom", "live", { accessToken: person.token, refreshToken: null, expiresAt: Date.now() + 90 * DAY, scope: null, context: {} });
    person.upstream.failNext(status(401));
    await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: null, stream: {}, readings: [] });
    expect((await connection(person.userId)).status).toBe("needs_reauth");
  });

  it("asks for calibrations and events only when dataRange reports new ones of that kind", async () => {
    const person = await streamingPerson("calibration-late");
    // A fingerstick calibration entered on a receiver reaches Dexcom after events logged later on the phone.
    const token = person.token;
    const range = await (await createSandboxFetch(env)("https://sandbox-api.dexcom.com/v3/users/self/dataRange", { headers: { Authorization: `Bearer ${token}` } })).json<Record<string, { end: { systemTime: string } }>>();
    const calibration = parseDexcomTime(range.calibrations!.end.systemTime)!;
    const event = parseDexcomTime(range.events!.end.systemTime)!;
    expect(event, "this sandbox day has an event after its last calibration").toBeGreaterThan(calibration);
    person.upstream.hide = (kind, t) => kind === "calibrations" && t === calibration;
    await runNextAlarm(person.stub);
    const calibrations = async () =>
      (await storedRecords(person.userId, { kind: "glucose_calibration" })).map((row) => row.start_time);
    expect(await calibrations()).not.toContain(calibration);
    person.upstream.take();

    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    expect(person.upstream.take().map((request) => request.path)).toEqual(["dataRange", "egvs", "calibrations"]);
    expect(await calibrations()).toContain(calibration);
    // Nothing new of either kind: neither is asked for.
    await runNextAlarm(person.stub);
    expect(person.upstream.take().map((request) => request.path)).toEqual(["dataRange", "egvs"]);
  });
});

// --- 7. values Dexcom sends that are not plain readings -----------------------------------------------------------

describe("Dexcom live stream: High, Low, missing values, unknown units and trends", () => {
  it("maps what the normalizer can, skips the rest with a reason, and the alarm carries on", async () => {
    const person = await streamingPerson("values");
    const { latest, egvs } = await person.truth();
    const original = await egvs(latest - 10 * READING_INTERVAL_MS, latest + 1000);
    expect(gapsIn(original), "this sandbox person has every reading of the last hour").toEqual([]);
    const at = (readingsBack: number) => latest - readingsBack * READING_INTERVAL_MS;
    const changes = new Map<number, (record: DexcomRecord) => DexcomRecord>([
      // The receiver shows "HIGH" / "LOW": status set, no value.
      [at(0), (record) => ({ ...record, value: null, status: "high", trend: "none", trendRate: null })],
      [at(1), (record) => ({ ...record, value: null, status: "low", trend: "notComputable", trendRate: null })],
      // A value beyond the sensor's range.
      [at(2), (record) => ({ ...record, value: 500 })],
      [at(3), (record) => ({ ...record, value: 38, trend: "rateOutOfRange" })],
      // No value and no status: nothing to show.
      [at(4), (record) => ({ ...record, value: null, status: null })],
      [at(5), (record) => ({ ...record, unit: "mmol/L", value: 7.2, rateUnit: "mmol/L/min", trendRate: 0.05 })],
      [at(6), (record) => ({ ...record, unit: "unknown" })],
      [at(7), (record) => ({ ...record, trend: "sideways" })],
      [at(8), (record) => ({ ...record, systemTime: "yesterday" })],
      [at(9), ({ recordId: _recordId, ...record }) => record],
    ]);
    person.upstream.rewriteEgvs = (records) => records.map((record) => changes.get(timeOf(record))?.(record) ?? record);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});

    await runNextAlarm(person.stub);
    const state = await objectState(person.stub);
    expect(state.stream.failures).toBe("0");
    expect(state.alarm).toBe(dueAfter(latest));
    const byTime = new Map(state.readings.map((row) => [row.system_time, row]));
    const valueAt = (k: number) => original.find((record) => timeOf(record) === at(k))!;
    expect(byTime.get(at(0))).toMatchObject({ mgdl: 400, status: "high", trend: "none" });
    expect(byTime.get(at(1))).toMatchObject({ mgdl: 40, status: "low", trend: "notComputable" });
    expect(byTime.get(at(2))).toMatchObject({ mgdl: 400, status: "high", trend: valueAt(2).trend });
    expect(byTime.get(at(3))).toMatchObject({ mgdl: 40, status: "low", trend: "rateOutOfRange" });
    expect(byTime.has(at(4))).toBe(false);
    expect(byTime.get(at(5))).toMatchObject({ mgdl: mmollToMgdl(7.2), status: "ok" });
    expect(byTime.has(at(6))).toBe(false);
    expect(byTime.get(at(7))).toMatchObject({ mgdl: valueAt(7).value, trend: "unknown" });
    expect(byTime.has(at(8))).toBe(false);
    expect(byTime.has(at(9))).toBe(false);

    const rows = new Map((await storedGlucose(person.userId)).map((row) => [row.time, row.data]));
    expect(rows.get(at(0))).toMatchObject({ blood_glucose: { value: 400, unit: "mg/dL" }, blood_glucose_molar: { value: mgdlToMmoll(400), unit: "mmol/L" }, status: "high" });
    expect(rows.get(at(1))).toMatchObject({ blood_glucose: { value: 40, unit: "mg/dL" }, status: "low" });
    expect(rows.get(at(5))).toMatchObject({ blood_glucose: { value: 130, unit: "mg/dL" }, blood_glucose_molar: { value: 7.2, unit: "mmol/L" }, trend_rate: { value: 0.9, unit: "mg/dL/min" } });
    expect([at(4), at(6), at(8), at(9)].filter((t) => rows.has(t))).toEqual([]);

    // Skipped with the reason, never silently.
    const skipped = warn.mock.calls.map(([line]) => JSON.parse(String(line))).filter((entry) => entry.event === "dexcom_stream_skipped");
    expect(skipped).toHaveLength(1);
    expect(skipped[0].count).toBe(4);
    expect(skipped[0].reasons).toEqual(
      expect.arrayContaining([
        "dexcom egvs: no value",
        'dexcom egvs: unit "unknown" is neither mg/dL nor mmol/L',
        'dexcom egvs: systemTime "yesterday" is not a date-time',
        expect.stringMatching(/^dexcom egvs: recordId /),
      ]),
    );

    // The card shows a High as the sensor's limit, not as a number the person could take literally.
    const html = String(GlucoseLive({ points: await person.stub.dexcomReadings(person.userId, latest - 3 * HOUR), now: Date.now(), delayMs: DELAY }));
    expect(html).toContain('<span class="value">above 400</span>');
    expect(html).toContain("glucose-high");
  });

  it("backs off, without crashing, when a whole page is not Dexcom's envelope", async () => {
    const person = await streamingPerson("not-an-envelope");
    person.upstream.failNext(() => Response.json({ recordType: "egv", recordVersion: "2.0", records: "not a list" }), "egvs");
    const ranAt = await runNextAlarm(person.stub);
    expect(await objectState(person.stub)).toMatchObject({ alarm: ranAt + 5 * MINUTE, readings: [], stream: { enabled: "1", failures: "1" } });
    await runNextAlarm(person.stub);
    expect((await objectState(person.stub)).readings.length).toBeGreaterThan(280);
  });
});

// --- 8. live push -------------------------------------------------------------------------------------------------

describe("Dexcom live stream: live pages", () => {
  it("pushes the current glucose to an open page at once, and each new reading as it lands, across hibernation", async () => {
    withoutRequestTimers();
    const session = await signIn("live-push@stream.test");
    const person = await streamingPerson("live-push", { session });
    await runNextAlarm(person.stub);
    const { latest, egvs } = await person.truth();
    const readingAt = async (t: number) => (await egvs(t, t + 1000))[0]!;

    const response = await openLive(session);
    expect(response.status).toBe(101);
    const page = listen(response.webSocket!);
    const first = await page.next();
    expect(first).toContain('id="glucose-live"');
    expect(first).toContain(`<span class="value">${(await readingAt(latest)).value}</span>`);
    expect(first).toContain(`As of <time datetime="${new Date(latest).toISOString()}">`);

    // A look with nothing new pushes nothing; the new readings are pushed when they land.
    person.upstream.hide = (kind, t) => kind === "egvs" && t > latest;
    await runNextAlarm(person.stub);
    person.upstream.hide = () => false;
    await runNextAlarm(person.stub);
    const next = (await person.truth()).latest;
    expect(next).toBeGreaterThan(latest);
    const second = await page.next();
    expect(second).toContain(`As of <time datetime="${new Date(next).toISOString()}">`);
    expect(second).toContain(`<span class="value">${(await readingAt(next)).value}</span>`);

    // The object is evicted with the page open: the socket hibernates, and the next reading still reaches it.
    await evictDurableObject(person.stub);
    await attach(person.stub, person.upstream);
    await runNextAlarm(person.stub);
    const third = await page.next();
    expect(third).toContain(`As of <time datetime="${new Date(next + READING_INTERVAL_MS).toISOString()}">`);

    // Where WebSockets are unavailable, the card polls the same fragment (read from D1).
    const polled = await get("/settings/live/dexcom", session);
    expect(polled.status).toBe(200);
    expect(await polled.text()).toContain(`As of <time datetime="${new Date(next + READING_INTERVAL_MS).toISOString()}">`);
  });

  it("tells a page how late the readings are, even days after they stopped", async () => {
    const session = await signIn("live-stopped@stream.test");
    const person = await streamingPerson("live-stopped", { session });
    await runNextAlarm(person.stub);
    const { latest } = await person.truth();
    // The sensor ended two days ago; Dexcom has had nothing since.
    setClock(T0 + 2 * DAY);
    const live = await openLive(session);
    const fragment = await listen(live.webSocket!).next();
    expect(fragment).toContain("glucose-stale");
    expect(fragment).toContain(`As of <time datetime="${new Date(latest).toISOString()}">2 days ago</time>`);
    expect(fragment).toContain("No new readings for over 30 minutes past when one was due.");
    expect(fragment).not.toContain("No readings yet");
  });

  it("finishes closing a page that went away abruptly (close code 1006, which cannot be sent back)", async () => {
    const session = await signIn("live-abrupt@stream.test");
    const stub = hub(session.userId);
    for (const code of [1006, 1005, 1015]) {
      const live = await openLive(session);
      expect(live.status).toBe(101);
      const page = listen(live.webSocket!);
      await page.next();
      // A network drop or a crashed tab reaches the object as an abnormal closure.
      await runInDurableObject(stub, async (instance: UserHub, state) => {
        const sockets = state.getWebSockets("dexcom-live");
        expect(sockets).toHaveLength(1);
        await instance.webSocketClose(sockets[0]!, code);
      });
      expect(await page.closed).toEqual({ code: 1000, reason: "closing" });
    }

    // A page that closes normally: its code is echoed.
    const other = await openLive(session);
    const second = listen(other.webSocket!);
    await second.next();
    other.webSocket!.close(1001, "leaving");
    expect((await second.closed).code).toBe(1001);
  });

  it("opens only from Wellness OS pages, for a signed-in person", async () => {
    const session = await signIn("live-origin@stream.test");
    expect((await openLive(session, "https://evil.example")).status).toBe(403);
    expect((await openLive(session, null)).status).toBe(403);
    const anonymous = await openLive(null);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("Location")).toBe("/dev/sign-in?next=%2Flive%2Fdexcom");
    expect((await get("/live/dexcom", session)).status).toBe(426);
    // A signed-in person without Dexcom gets their own (empty) view, never anyone else's.
    const own = await openLive(session);
    expect(own.status).toBe(101);
    expect(await listen(own.webSocket!).next()).toContain("No readings yet");
  });
});

// --- 9. staleness and the card ------------------------------------------------------------------------------------

/** Readings in Dexcom's v3 shape (from the egvs fixture), every five minutes up to `latest`, newest first. */
function egvPage(latest: number, count: number, value: (index: number) => number, trend = "fortyFiveUp") {
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

function cardHtml(page: string, source: string): string {
  const start = page.indexOf(`id="card-${source}"`);
  expect(start, `card ${source} is on the page`).toBeGreaterThan(-1);
  const end = page.indexOf("<article", start + 1);
  return page.slice(start, end === -1 ? undefined : end);
}

describe("Dexcom live stream: staleness", () => {
  it("is late 15 and stale 30 minutes after the next reading was due to be visible", () => {
    const latest = T0 - DELAY;
    const due = latest + READING_INTERVAL_MS + DELAY;
    expect([STALE_WARN_MS, STALE_URGENT_MS]).toEqual([15 * MINUTE, 30 * MINUTE]);
    expect(staleness(latest, due, DELAY)).toBe("fresh");
    expect(staleness(latest, due + 15 * MINUTE, DELAY)).toBe("fresh");
    expect(staleness(latest, due + 15 * MINUTE + 1, DELAY)).toBe("late");
    expect(staleness(latest, due + 30 * MINUTE, DELAY)).toBe("late");
    expect(staleness(latest, due + 30 * MINUTE + 1, DELAY)).toBe("stale");
    // Outside the US the same reading is on time for two hours longer.
    expect(staleness(latest, due + 2 * HOUR, 3 * HOUR)).toBe("fresh");
    expect(staleness(latest, due + 2 * HOUR + 30 * MINUTE + 1, 3 * HOUR)).toBe("stale");
    expect(staleness(null, due, DELAY)).toBe("stale");
  });

  it("shows the value, trend, as-of time and sparkline on the settings card, and warns when readings stop", async () => {
    const session = await signIn("card@stream.test");
    await seedConnection(session.userId, "dexcom", "connected");
    await hub(session.userId).storeTokens(session.userId, "dexcom", "sandbox", { accessToken: "a", refreshToken: null, expiresAt: null, scope: null, context: {} });
    const latest = T0 - DELAY - 2 * MINUTE;
    const { records, skipped } = normalizeDexcom("egvs", egvPage(latest, 37, (index) => 150 - index));
    expect(skipped).toEqual([]);
    await storeRecords(env, session.userId, "dexcom", records);
    const due = latest + READING_INTERVAL_MS + DELAY;

    // The settings page does not call the object: the card's live view is filled by its WebSocket, or on load by
    // the fragment route, which reads the person's record store.
    setClock(due);
    const page = cardHtml(await (await get("/settings", session)).text(), "dexcom");
    expect(page).toContain('hx-ws:connect="/live/dexcom"');
    expect(page).toContain('hx-get="/settings/live/dexcom" hx-trigger="load, every 300s"');
    expect(page).toContain('href="/settings/connections/dexcom"');
    expect(page).not.toContain('<span class="value">');

    const card = async (now: number) => {
      setClock(now);
      const response = await get("/settings/live/dexcom", session);
      expect(response.status).toBe(200);
      return response.text();
    };

    const fresh = await card(due + 10 * MINUTE);
    expect(fresh).toContain('class="glucose glucose-in-range glucose-fresh"');
    expect(fresh).toContain('<span class="value">150</span>');
    expect(fresh).toContain(`(${mgdlToMmoll(150)} mmol/L)`);
    expect(fresh).toMatch(/<span class="trend" title="rising slowly">\s*↗<span class="visually-hidden"> rising slowly<\/span><\/span>/);
    expect(fresh).toContain(`As of <time datetime="${new Date(latest).toISOString()}">1 hour ago</time>`);
    expect(fresh).toContain('aria-label="Last 3 hours: 37 readings"');
    expect(fresh).toMatch(/<path d="M0\.0,[\d.]+ L5\.0,[\d.]+/);
    expect(fresh).not.toContain('role="status"');

    const late = await card(due + 16 * MINUTE);
    expect(late).toContain("glucose-late");
    expect(late).toContain('<p class="reason" role="status">The next reading is more than 15 minutes late.</p>');
    expect(late).toContain('<span class="value">150</span>');

    const stale = await card(due + 31 * MINUTE);
    expect(stale).toContain("glucose-stale");
    expect(stale).toContain('<p class="reason urgent" role="status">No new readings for over 30 minutes past when one was due.</p>');
    expect(stale).toContain(`As of <time datetime="${new Date(latest).toISOString()}">2 hours ago</time>`);
  });
});

describe("Dexcom live stream: the card's readings from the record store", () => {
  it("finds the last reading and the hours before it, however long ago readings stopped", async () => {
    const userId = `usr_card_query_${crypto.randomUUID().slice(0, 8)}`;
    await seedConnection(userId, "dexcom", "connected");
    await hub(userId).storeTokens(userId, "dexcom", "sandbox", { accessToken: "a", refreshToken: null, expiresAt: null, scope: null, context: {} });
    const lastDay = T0 - 7 * HOUR;
    // Two stretches of readings; the newest ended seven hours ago (beyond a six-hour look-back from now).
    for (const page of [egvPage(lastDay - DAY, 30, () => 90), egvPage(lastDay, 60, (index) => 200 - index)]) {
      await storeRecords(env, userId, "dexcom", normalizeDexcom("egvs", page).records);
    }
    const points = await hub(userId).latestGlucose(userId);
    expect(points).toHaveLength(37);
    expect(points[0]!.time).toBe(lastDay - 3 * HOUR);
    expect(points.at(-1)).toEqual({ time: lastDay, mgdl: 200, trend: "fortyFiveUp", status: "ok" });
    expect(await hub("usr_nobody").latestGlucose("usr_nobody")).toEqual([]);

    const html = String(GlucoseLive({ points, now: T0, delayMs: DELAY }));
    expect(html).toContain("glucose-stale");
    expect(html).toContain(`As of <time datetime="${new Date(lastDay).toISOString()}">7 hours ago</time>`);
  });
});

// --- 10. what a day of readings costs the object --------------------------------------------------------------

describe("Dexcom live stream: storage", () => {
  it("keeps its live window to a day as it moves on, while the record store keeps every reading", async () => {
    const person = await streamingPerson("storage-size");
    const empty = (await objectState(person.stub)).databaseSize;
    await runNextAlarm(person.stub);
    const day = await objectState(person.stub);
    // A day later the whole window has been replaced (old readings deleted as new ones land).
    setClock(T0 + DAY);
    expect(await runDurableObjectAlarm(person.stub)).toBe(true);
    const nextDay = await objectState(person.stub);
    expect(nextDay.readings[0]!.system_time).toBeGreaterThan(day.readings.at(-1)!.system_time - 1);
    const windowBytes = await runInDurableObject(person.stub, (_instance: UserHub, state) =>
      state.storage.sql.exec<{ bytes: number }>("SELECT sum(length(record_id) + 8 + 8 + length(trend) + coalesce(length(status), 0)) AS bytes FROM glucose_recent").one().bytes,
    );
    const stored = await storedGlucose(person.userId);
    console.log(
      JSON.stringify({
        event: "dexcom_stream_storage",
        readings: day.readings.length,
        databaseBytesEmpty: empty,
        databaseBytesWithDay: day.databaseSize,
        databaseBytesTwoDays: nextDay.databaseSize,
        objectBytesPerReading: Math.round((nextDay.databaseSize - empty) / stored.length),
        windowPayloadBytes: windowBytes,
      }),
    );
    expect(day.readings.length).toBeGreaterThan(280);
    expect(nextDay.readings.length).toBeLessThanOrEqual(day.readings.length + 1);
    expect(windowBytes).toBeLessThan(100_000);
    expect(stored.length).toBeGreaterThanOrEqual(day.readings.length + nextDay.readings.length - 1);
  });
});
