import type { z } from "zod";
import type { CatalogEntry, SourceId } from "../domain/integration";
import type { NormalizedRecord, NormalizeResult } from "../domain/records";
import type { AccessTokens } from "./calls";
import type { HealthSystem } from "./smart-fhir/systems";

/** Client credentials as configured; `clientSecret` is null for public clients (PKCE only). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string | null;
}

export interface OAuthEndpoints {
  authorization: string;
  token: string;
}

/** Tokens as the vault holds them (decrypted, in memory only). */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms; null when the provider did not say. */
  expiresAt: number | null;
  scope: string | null;
  /** Provider extras worth keeping, e.g. SMART's `patient`. Never secrets. */
  context: Record<string, string>;
}

/** What a provider call needs: the fetch to use (real, sandbox or test peer) and, for data calls, a token. */
export interface ProviderCallContext {
  fetch: typeof fetch;
  env: Env;
}

/**
 * How an OAuth 2.0 provider authorizes. Everything the RFC leaves open, or the provider bends, is a field here,
 * so the engine stays one piece of code for every provider.
 */
export interface OAuth2Auth {
  kind: "oauth2";
  endpoints: (env: Env) => OAuthEndpoints;
  credentials: (env: Env) => ClientCredentials | null;
  /** RFC 6749 §2.3.1 prefers HTTP Basic; several providers want the secret in the form body instead. */
  clientAuthentication: "basic" | "body";
  pkce: boolean;
  /** Extra query parameters on the authorization URL, e.g. Google's `access_type=offline`. */
  authorizationParams?: Readonly<Record<string, string>>;
  /** A provider-imposed exact length for `state` (WHOOP: 8). */
  stateLength?: number;
  /** RFC 6749 §3.3 joins scopes with spaces; Withings wants commas. */
  scopeDelimiter?: " " | ",";
  /** Extra form fields on every token request (Withings: `action=requesttoken`). */
  tokenParams?: Readonly<Record<string, string>>;
  /**
   * For a provider that wraps its token answers (Withings: `{status, body}`, errors inside an HTTP 200): the RFC 6749
   * body inside, or a thrown OAuth2RequestError / ProviderUnavailableError.
   */
  unwrapTokenResponse?: (data: unknown) => object;
  /** Token-response fields worth keeping as context (Withings' `userid`, which routes its notifications). Never secrets. */
  tokenContextFields?: readonly string[];
  /** Scopes to send again on refresh (WHOOP needs `offline`). */
  refreshScopes?: readonly string[];
  /** Whether a connection is useless without a refresh token (true for every polled source). */
  requiresRefreshToken: boolean;
  /** Provider-specific revocation; absent when the provider offers none. */
  revoke?: (ctx: ProviderCallContext, tokens: TokenSet) => Promise<void>;
  /** The provider's id for this person, used to route webhooks; null when the provider has none. */
  identify?: (ctx: ProviderCallContext, tokens: TokenSet) => Promise<string | null>;
}

/** SMART on FHIR standalone launch: endpoints come from the server's `.well-known/smart-configuration`. */
export interface SmartOnFhirAuth {
  kind: "smart-on-fhir";
  /** The deployment's own health system: what Connect reaches when the person does not choose one. */
  fhirBaseUrl: (env: Env) => string;
  /** The published directory of the vendor's health systems a person picks from (src/providers/smart-fhir/systems.ts). */
  directory: readonly HealthSystem[];
  credentials: (env: Env) => ClientCredentials | null;
  requiresRefreshToken: boolean;
}

/** Sources reached through an aggregator's mobile SDK (Junction): no web authorization of our own. */
export interface AggregatorAuth {
  kind: "aggregator";
}

export type ProviderAuth = OAuth2Auth | SmartOnFhirAuth | AggregatorAuth;

/** A time window to pull, epoch milliseconds, end exclusive. */
export interface SyncWindow {
  start: number;
  end: number;
}

/** One page of a provider's response, handed to `normalize(kind, body)` as it arrives. */
export interface PulledPage<K extends string = string> {
  kind: K;
  body: unknown;
}

/**
 * What `pull` gets from the sync engine. `request` is the only way to reach the provider: it adds the person's
 * bearer token, refreshes once on a 401, bounds the call with a timeout, counts it against the invocation's
 * subrequest budget, and turns 429 / 5xx / timeouts into typed errors the queue retries (honouring Retry-After).
 * It returns only 2xx responses.
 */
export interface PullContext {
  request(url: string | URL, init?: RequestInit): Promise<Response>;
  /** The provider's id for this person (webhook routing), when known. */
  externalUserId: string | null;
  /** Context from the token response (e.g. SMART's `patient`). */
  tokenContext: Readonly<Record<string, string>>;
  /** Wall clock of this run, so pulls are deterministic in tests. */
  now: number;
  /** Deployment configuration (e.g. Dexcom's region decides its data host). Never secrets' values in requests. */
  env: Env;
  /** The provider's own resume point, for providers that have one (Gmail's historyId); set by the sync engine. */
  state?: ProviderState;
}

/** A provider cursor kept with the connection (the sync engine persists it only when the pull completes). */
export interface ProviderState {
  /** The stored resume point, or null before the first pull that set one. */
  readonly value: string | null;
  /** Scheduled, manual and push-triggered pulls may read from `value`; backfills and rescans read their window. */
  readonly incremental: boolean;
  /** Where this pull got to; stored when it completes. */
  set(value: string): void;
}

/** How a source is kept in sync by polling. */
export interface SyncSpec<K extends string = string> {
  /** The kinds `pull` yields pages of, in the order it pulls them. */
  kinds: readonly K[];
  /** Scheduled polling cadence; the card shows "stale" after twice this without a successful sync. */
  cadenceMinutes: number;
  /** How far back each scheduled pull re-reads, because providers revise recent days (late scores, edits). */
  lookbackHours: number;
  /** Days pulled when a person connects, split into jobs of `backfillJobDays` so each stays within the budget. */
  backfillDays: number;
  backfillJobDays: number;
  /** The most provider requests one window of `backfillJobDays` may need (checked against the subrequest budget). */
  maxRequestsPerJob: number;
  /** Pulls one window: every kind (or only `kinds`, when a notification named them), every page, as it arrives. */
  pull(ctx: PullContext, window: SyncWindow, kinds?: readonly K[]): AsyncGenerator<PulledPage<K>>;
  /** Pure: provider JSON → normalized records, and items it could not use (with reasons). No I/O. */
  normalize(kind: K, body: unknown): NormalizeResult;
  /**
   * For push-first providers whose history cannot be pulled (Garmin): ask the provider to send the window's
   * data through its webhooks instead. When present, the backfill on connect calls this instead of `pull`.
   */
  requestBackfill?(ctx: PullContext, window: SyncWindow): Promise<void>;
}

export type WebhookVerification = { ok: true } | { ok: false; status: 400 | 401 | 403 | 404; reason: string };

/** What a verified notification asks for: re-pull a window for a person, or store data it carried. */
export interface WebhookEvent {
  /** Provider's event id (or a digest of the event when it sends none): the dedupe key. */
  eventId: string;
  externalUserId: string;
  /** Pull this window for the person (notifications that carry no data). */
  window?: SyncWindow;
  /** Only these kinds changed (e.g. Oura names the data type), so only these need pulling. */
  kinds?: string[];
  /** Data the notification carried, ready for `normalize` (Garmin push). */
  pages?: PulledPage[];
  /** A URL the provider wants us to fetch with the person's token (Garmin ping), and the kind it returns. */
  callbackUrl?: string;
  callbackKind?: string;
  /** The person revoked access at the provider (Garmin deregistration, Google DELETE on revoke). */
  deregistration?: boolean;
}

/** What a source's own consumer made of one event: the ledger's final state and its line. */
export interface WebhookOutcome {
  status: "processed" | "skipped" | "failed";
  detail: string;
}

/** How a source pushes. The endpoint is /webhooks/<path>; it verifies, dedupes, enqueues and answers at once. */
export interface WebhookSpec {
  path: string;
  maxBodyBytes: number;
  /** Answers the provider's verification handshake, if this request is one; otherwise null. */
  handshake?(request: Request, env: Env): Promise<Response | null>;
  /**
   * Authentication that needs no body (a secret in the URL or in a header): run before the body is read, so a
   * sender without it never has a body buffered.
   */
  verifyRequest?(request: Request, env: Env, now: number): Promise<WebhookVerification>;
  /** Signature (and timestamp window, where the provider signs one) over the raw body. */
  verify(request: Request, rawBody: Uint8Array<ArrayBuffer>, env: Env, now: number): Promise<WebhookVerification>;
  /** The raw body as the value `parse` reads; JSON when absent (Withings posts a form). Throws for an unreadable body. */
  decode?(rawBody: Uint8Array<ArrayBuffer>): unknown;
  /** Pure: the verified body → events. Throws MalformedPayloadError for a body that is not the documented shape. */
  parse(body: unknown, now: number, headers?: Headers): WebhookEvent[];
  /** The status to answer a verified, queued notification with (Google Health wants 204). */
  successStatus?: 200 | 202 | 204;
  /** Callback URLs (pings) are fetched with the person's token, so only the provider's own may be followed. */
  isAllowedCallbackUrl?(url: string): boolean;
  /**
   * An aggregator's events (Junction) name the source, the person and what happened inside the payload, so the
   * source turns them into state and records itself instead of the generic re-pull / store / deregister steps.
   * Throws only what is worth retrying.
   */
  consume?(env: Env, event: WebhookEvent, options: { now: number; fetch?: typeof fetch }): Promise<WebhookOutcome>;
}

/** What a live stream hands the person's UserHub after one look at the provider. */
export interface LiveTick {
  /** When to look again; null when the stream stopped (disconnected, or needs reconnecting). */
  nextAlarmAt: number | null;
  /** New readings: open pages are sent a fresh fragment when there are any. */
  newReadings: number;
  skipped: number;
  error: string | null;
}

/** One source's stream inside the person's UserHub; its state lives in the object's storage. */
export interface LiveStream {
  readonly enabled: boolean;
  start(): void;
  /** Stops the stream and forgets what it held in the object. */
  stop(): void;
  /** One look at the provider. Never throws for a provider's failure: it backs off instead. */
  tick(userId: string, now?: number): Promise<LiveTick>;
  /** The HTML fragment an open page shows, sent over the object's WebSockets. */
  fragment(now: number): string;
}

/** What the UserHub gives a stream: its own storage, the configuration, and the person's token vault. */
/** Where a live stream stores what it normalized: the person's record store, in the same object. */
export interface RecordSink {
  put(source: SourceId, records: readonly NormalizedRecord[], now: number): unknown;
}

export interface LiveStreamDeps {
  sql: SqlStorage;
  env: Env;
  tokens: AccessTokens;
  records: RecordSink;
}

/**
 * A source whose data is followed live from the person's UserHub (Dexcom's glucose), on the object's alarm. The
 * hub starts it on connect, stops it on disconnect and ticks it on its alarm, for any adapter that has one.
 */
export interface LiveStreamSpec {
  open(deps: LiveStreamDeps): LiveStream;
}

/**
 * One provider: a folder under src/providers/<source>/ exports exactly one of these, and one line in
 * src/providers/registry.ts lists it. Optional parts are capabilities: code asks `if (adapter.live)`, never which
 * source it is.
 */
export interface ProviderAdapter {
  id: SourceId;
  /** The settings page's entry: name, type, what it reads, scopes, credentials it needs. */
  catalog: z.input<typeof CatalogEntry>;
  auth: ProviderAuth;
  sync?: SyncSpec;
  webhook?: WebhookSpec;
  live?: LiveStreamSpec;
  watch?: WatchSpec;
}

/**
 * Providers that push a person's changes only while a watch they expire is renewed (Gmail's users.watch, 7 days):
 * started after connecting, renewed by the daily cron, stopped by the one disconnect.
 */
export interface WatchSpec {
  /** Starts or renews the watch (Gmail replaces the previous one); false when this deployment has no push configured. */
  start(ctx: PullContext): Promise<boolean>;
  stop(ctx: PullContext): Promise<void>;
}
