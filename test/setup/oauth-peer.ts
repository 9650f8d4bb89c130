import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OAuth2Server } from "oauth2-mock-server";

/**
 * The OAuth peer for tests: a real OAuth 2.0 authorization server that nobody here wrote (oauth2-mock-server:
 * authorization code, PKCE verification, refresh, revocation), behind a small front on loopback that
 *   - records every token request (grant type, how the client authenticated) for assertions,
 *   - enforces refresh-token rotation (a refresh token works once, as Oura's and WHOOP's do),
 *   - injects the faults a test scripts via /__control (5xx, delays past the client's timeout, OAuth errors,
 *     fields missing from the token response),
 *   - answers the providers' "who is this" endpoints that the OAuth flows call after the exchange, and
 *   - speaks Withings' dialect at /withings/token: `action=requesttoken`, answers in {status, body}, HTTP 200 always.
 * Tests running in workerd drive /__control with fetch; the Worker reaches the peer through outboundService.
 */
export interface OAuthPeer {
  origin: string;
  stop(): Promise<void>;
}

interface TokenRequestRecord {
  grantType: string | null;
  clientAuth: "basic" | "body" | "none";
  hasClientSecretInBody: boolean;
  hasCodeVerifier: boolean;
  scope: string | null;
  refreshToken: string | null;
}

type Fault =
  | { kind: "status"; status: number; body?: unknown }
  | { kind: "delay"; ms: number }
  | { kind: "drop_fields"; fields: string[] }
  | { kind: "add_fields"; fields: Record<string, unknown> };

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

/** `tokenExtras`: fields every successful token response carries (a SMART server's `patient`). */
export async function startOAuthPeer(options: { tokenExtras?: Record<string, unknown> } = {}): Promise<OAuthPeer> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  const upstreamPort = server.address().port;

  let tokenRequests: TokenRequestRecord[] = [];
  let revocations: { provider: string; method: string; query: string; body: string }[] = [];
  let faults: Fault[] = [];
  let tokenDelayMs = 0;
  // Rotation: refresh tokens the server issued and that have not been spent yet.
  const liveRefreshTokens = new Set<string>();

  server.service.on(
    "beforeResponse",
    (response: { body: Record<string, unknown>; statusCode: number }, req: IncomingMessage & { body?: Record<string, string> }) => {
      const body = req.body ?? {};
      if (body.grant_type === "refresh_token") {
        const presented = body.refresh_token ?? "";
        if (!liveRefreshTokens.delete(presented)) {
          response.statusCode = 400;
          response.body = { error: "invalid_grant", error_description: "refresh token already used or unknown" };
          return;
        }
      }
      if (options.tokenExtras && response.statusCode === 200 && typeof response.body.access_token === "string")
        Object.assign(response.body, options.tokenExtras);
      const issued = response.body.refresh_token;
      if (typeof issued === "string") liveRefreshTokens.add(issued);
    },
  );

  // Google's OIDC signing keys as the push tests publish them (each adds the public half of a key it generated);
  // never reset, since test files share the peer.
  const googleCerts: unknown[] = [];

  const front = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://peer");
    const body = await readBody(req);

    if (url.pathname === "/__control/google-certs") {
      googleCerts.push(...(JSON.parse(body.toString() || "[]") as unknown[]));
      return json(res, 200, { keys: googleCerts.length });
    }
    if (url.pathname === "/__google/certs") return json(res, 200, { keys: googleCerts });

    if (url.pathname === "/__control/reset") {
      tokenRequests = [];
      revocations = [];
      faults = [];
      tokenDelayMs = 0;
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/faults") {
      faults.push(...(JSON.parse(body.toString() || "[]") as Fault[]));
      return json(res, 200, { queued: faults.length });
    }
    if (url.pathname === "/__control/token-delay") {
      tokenDelayMs = Number(url.searchParams.get("ms") ?? 0);
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/token-requests") return json(res, 200, tokenRequests);
    if (url.pathname.startsWith("/__revoke/")) {
      revocations.push({ provider: url.pathname.slice("/__revoke/".length), method: req.method ?? "", query: url.search, body: body.toString() });
      res.writeHead(req.method === "DELETE" ? 204 : 200);
      return res.end();
    }
    if (url.pathname === "/__control/revocations") return json(res, 200, revocations);
    if (url.pathname.startsWith("/__identity/")) {
      // The providers' "who is this" endpoints, in each provider's field name.
      const source = url.pathname.slice("/__identity/".length);
      const id = `peer-${source}-user`;
      const bodies: Record<string, unknown> = {
        oura: { id },
        whoop: { user_id: 4242 },
        fitbit: { healthUserId: id },
        garmin: { userId: id },
        gmail: { emailAddress: `${id}@example.test` },
      };
      return json(res, 200, bodies[source] ?? {});
    }

    // Withings' token endpoint: `action=requesttoken`, and every answer in {status, body} with HTTP 200.
    const withings = url.pathname === "/withings/token";
    if (url.pathname === "/token" || withings) {
      const form = new URLSearchParams(body.toString());
      const auth = req.headers.authorization ?? "";
      tokenRequests.push({
        grantType: form.get("grant_type"),
        clientAuth: auth.startsWith("Basic ") ? "basic" : form.has("client_id") ? "body" : "none",
        hasClientSecretInBody: form.has("client_secret"),
        hasCodeVerifier: form.has("code_verifier"),
        scope: form.get("scope"),
        refreshToken: form.get("refresh_token"),
      });
      if (tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
      const fault = faults.shift();
      if (fault?.kind === "status") return json(res, fault.status, fault.body ?? { message: "injected failure" });
      if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (withings && form.get("action") !== "requesttoken") return json(res, 200, { status: 503, body: {}, error: "Invalid Params: invalid action" });
      return forward(req, body, res, upstreamPort, fault, withings);
    }
    return forward(req, body, res, upstreamPort, undefined);
  });

  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  // Discovery and tokens must name the front, which is where clients reach the server.
  server.issuer.url = origin;
  return {
    origin,
    stop: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await server.stop();
    },
  };
}

function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, port: number, fault: Fault | undefined, withingsEnvelope = false) {
  const upstream = httpRequest(
    {
      host: "127.0.0.1",
      port,
      method: req.method,
      path: withingsEnvelope ? "/token" : req.url,
      headers: { ...req.headers, host: `127.0.0.1:${port}`, "content-length": String(body.length) },
    },
    async (upstreamRes) => {
      const chunks: Buffer[] = [];
      for await (const chunk of upstreamRes) chunks.push(chunk as Buffer);
      let payload = Buffer.concat(chunks);
      if (fault && (fault.kind === "drop_fields" || fault.kind === "add_fields") && upstreamRes.statusCode === 200) {
        const parsed = JSON.parse(payload.toString()) as Record<string, unknown>;
        if (fault.kind === "drop_fields") for (const field of fault.fields) delete parsed[field];
        else Object.assign(parsed, fault.fields);
        payload = Buffer.from(JSON.stringify(parsed));
      }
      if (withingsEnvelope) {
        // Withings answers 200 whatever happened: the token inside `body` (with the Withings user id), an error as
        // a non-zero status (503 for a code or refresh token it no longer accepts).
        const parsed = JSON.parse(payload.toString()) as Record<string, unknown>;
        const ok = upstreamRes.statusCode === 200;
        return json(
          res,
          200,
          ok ? { status: 0, body: { userid: "363", ...parsed } } : { status: 503, body: {}, error: `Invalid Params: ${String(parsed.error)}` },
        );
      }
      const headers = { ...upstreamRes.headers, "content-length": String(payload.length) };
      res.writeHead(upstreamRes.statusCode ?? 502, headers);
      res.end(payload);
    },
  );
  upstream.on("error", () => json(res, 502, { message: "peer upstream failed" }));
  upstream.end(body);
}
