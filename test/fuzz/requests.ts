import fc from "fast-check";

/**
 * Random requests over every route the Worker has (issue 12's fuzz pass): real route shapes with random sources,
 * ids and queries, junk paths, every method, bodies from empty to deeply nested JSON, forms and raw bytes, and the
 * headers that steer the app (session, CSRF, Origin, htmx, bearer, webhook signatures). Shared by the test inside
 * workerd (test/security/fuzz-routes.test.ts) and the benchmark mode against `wrangler dev` (test/bench/fuzz.ts).
 */

/** The Garmin webhook token the fuzz run configures, so some pushes get past it to parsing. */
export const FUZZ_GARMIN_TOKEN = "fuzz-garmin-token";

const SOURCES = ["oura", "whoop", "fitbit", "garmin", "withings", "apple-health", "health-connect", "dexcom", "epic", "gmail", "nope", "%2e%2e", ""];
const WEBHOOKS = ["oura", "whoop", "google-health", "garmin", "fitbit", "junction", "withings", "x"];

const source = fc.constantFrom(...SOURCES);
const junk = fc.string({ maxLength: 24, unit: "binary" }).map((text) => encodeURIComponent(text));

const path = fc.oneof(
  fc.constantFrom(
    "/",
    "/healthz",
    "/settings",
    "/settings/devices",
    "/settings/suggest",
    "/settings/suggestions",
    "/settings/preferences/weight-unit",
    "/dev/sign-in",
    "/dev/sign-out",
    "/dev/phone",
    "/dev/phone/link",
    "/api/mobile/junction/handoff",
    "/sandbox/withings/weigh-in",
  ),
  fc
    .tuple(
      fc.constantFrom(
        "/settings/cards/",
        "/settings/live/",
        "/settings/connect/",
        "/settings/disconnect/",
        "/settings/connections/",
        "/settings/delete-data/",
        "/settings/coming-soon/",
        "/settings/health-systems/",
        "/settings/records-summary/",
        "/live/",
        "/sandbox/",
      ),
      source,
    )
    .map(([prefix, id]) => prefix + id + (prefix === "/sandbox/" ? "/authorize" : "")),
  fc
    .tuple(source, fc.constantFrom("start", "callback", "disconnect", "sync", "data/delete", "handoff", "other"))
    .map(([id, action]) => `/api/integrations/${id}/${action}`),
  fc.tuple(fc.constantFrom(...WEBHOOKS)).map(([hook]) => `/webhooks/${hook}`),
  fc.tuple(fc.oneof(fc.constant("usr_demo"), junk), fc.constantFrom("records", "days", "x")).map(([user, what]) => `/api/v1/users/${user}/${what}`),
  fc.constant("/api/v1/admin/records/move"),
  fc.array(junk, { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join("/")}`),
);

const QUERY_KEYS = [
  "next",
  "code",
  "state",
  "error",
  "token",
  "token",
  "cursor",
  "limit",
  "kind",
  "from",
  "to",
  "filter",
  "page",
  "consent",
  "q",
  "connection",
  "page_size",
  "pages",
  "x",
];
const queryValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "/\\evil.example/",
    "/\t/evil.example",
    "//evil.example",
    "/settings\r\nX: y",
    "-1",
    "1e309",
    "999999999999",
    "2026-13-40T99:99:99Z",
    FUZZ_GARMIN_TOKEN,
  ),
);
const query = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : ""));

/** A body as text or bytes, with the content type it claims (not necessarily the one it has). */
const body = fc.oneof(
  fc.constant({ type: null, data: null }),
  fc.json({ maxDepth: 6 }).map((data) => ({ type: "application/json", data })),
  fc.nat({ max: 3_000 }).map((depth) => ({ type: "application/json", data: `${"[".repeat(depth)}${"]".repeat(depth)}` })),
  fc
    .dictionary(
      fc.constantFrom(
        "_csrf",
        "email",
        "name",
        "next",
        "decision",
        "delete_data",
        "device_name",
        "device_type",
        "note",
        "state",
        "fhir_base",
        "connection",
        "x",
      ),
      fc.string({ maxLength: 60 }),
    )
    .map((fields) => ({ type: "application/x-www-form-urlencoded", data: new URLSearchParams(fields).toString() })),
  fc
    .tuple(fc.uint8Array({ maxLength: 512 }), fc.constantFrom("application/octet-stream", "application/json", "multipart/form-data; boundary=x", "text/plain"))
    .map(([bytes, type]) => ({ type, data: new Uint8Array(bytes) })),
  fc.nat({ max: 40_000 }).map((size) => ({ type: "application/x-www-form-urlencoded", data: `email=${"a".repeat(size)}` })),
);

export interface FuzzRequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array<ArrayBuffer> | null;
  /** Which ambient credentials to attach when the request is built. */
  withSession: boolean;
  withCsrf: boolean;
  withBearer: boolean;
  origin: "same" | "evil" | "none";
}

export const fuzzRequest: fc.Arbitrary<FuzzRequestSpec> = fc
  .record({
    method: fc.constantFrom("GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
    path,
    query,
    body,
    withSession: fc.boolean(),
    withCsrf: fc.boolean(),
    withBearer: fc.boolean(),
    origin: fc.constantFrom("same", "same", "evil", "none"),
    extra: fc.dictionary(
      fc.constantFrom(
        "HX-Request",
        "Sec-Fetch-Site",
        "Upgrade",
        "x-oura-signature",
        "x-oura-timestamp",
        "X-WHOOP-Signature",
        "X-WHOOP-Signature-Timestamp",
        "Accept",
        "Cf-Access-Jwt-Assertion",
      ),
      fc.oneof(fc.constantFrom("true", "same-origin", "cross-site", "websocket", "1", "AAAA"), fc.string({ maxLength: 30 })),
      { maxKeys: 3 },
    ),
  })
  .map(({ method, path, query, body, extra, ...rest }) => {
    const headers: Record<string, string> = {};
    // Header values must be ByteStrings without CR/LF: what a client can actually send.
    for (const [name, value] of Object.entries(extra)) headers[name] = value.replace(/[^\x20-\x7e]/g, "");
    if (body.type) headers["Content-Type"] = body.type;
    const hasBody = method !== "GET" && method !== "HEAD" && body.data !== null;
    const data = typeof body.data === "string" || body.data instanceof Uint8Array ? body.data : JSON.stringify(body.data);
    return { method, path: path + query, headers, body: hasBody ? data : null, ...rest };
  });

export interface FuzzContext {
  origin: string;
  cookie: string;
  csrfToken: string;
  bearer: string;
}

/** The request a client would send for `spec`, with this run's session and tokens. */
export function buildRequest(spec: FuzzRequestSpec, context: FuzzContext): Request {
  const headers = new Headers(spec.headers);
  if (spec.withSession) headers.set("Cookie", context.cookie);
  if (spec.withCsrf) headers.set("X-CSRF-Token", context.csrfToken);
  if (spec.withBearer) headers.set("Authorization", `Bearer ${context.bearer}`);
  if (spec.origin === "same") headers.set("Origin", context.origin);
  else if (spec.origin === "evil") headers.set("Origin", "https://evil.example");
  return new Request(`${context.origin}${spec.path}`, { method: spec.method, headers, body: spec.body, redirect: "manual" });
}

/** Status codes counted by exact code, e.g. { 200: 12, 401: 40, ... }. */
export function tally(statuses: readonly number[]): Record<number, number> {
  const totals: Record<number, number> = {};
  for (const status of statuses) totals[status] = (totals[status] ?? 0) + 1;
  return totals;
}
