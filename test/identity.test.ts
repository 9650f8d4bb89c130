import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { ORIGIN } from "./helpers";

const TEAM = "https://wellness-test.cloudflareaccess.com";
const AUD = "a1b2c3d4e5f6-access-audience-tag";

const productionEnv = {
  ...env,
  ENVIRONMENT: "production",
  CF_ACCESS_TEAM_DOMAIN: TEAM,
  CF_ACCESS_AUD: AUD,
} as Env;

let privateKey: CryptoKey;
let publicJwk: JsonWebKey & { kid: string };
let otherPrivateKey: CryptoKey;

beforeAll(async () => {
  const params = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  privateKey = pair.privateKey;
  publicJwk = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), kid: "access-key-1", alg: "RS256" };
  otherPrivateKey = ((await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair).privateKey;
});

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("=", "")
    .replaceAll("+", "-")
    .replaceAll("/", "_");
const encodeJson = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));

// Cloudflare Access's JWT shape: RS256 with a kid in the header, aud as an array, iss the team domain.
async function accessJwt(overrides: Record<string, unknown> = {}, key = privateKey) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    aud: [AUD],
    email: "ana@example.org",
    sub: "7335d417-61da-459d-899c-0a01c76a2f94",
    iss: TEAM,
    iat: now,
    nbf: now,
    exp: now + 600,
    type: "app",
    ...overrides,
  };
  const signingInput = `${encodeJson({ alg: "RS256", kid: "access-key-1", typ: "JWT" })}.${encodeJson(payload)}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

function production(path: string, headers: Record<string, string> = {}) {
  const app = createApp({ identity: { accessKeys: async () => [publicJwk as never] } });
  return app.fetch(new Request(`${ORIGIN}${path}`, { headers, redirect: "manual" }), productionEnv, createExecutionContext());
}

describe("identity in production (Cloudflare Access)", () => {
  it("serves the settings page to a person with a valid Access JWT", async () => {
    const response = await production("/settings", { "Cf-Access-Jwt-Assertion": await accessJwt() });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("ana@example.org");
    // Production has no development sign-out form.
    expect(page).not.toContain("/dev/sign-out");
  });

  it("refuses a missing, forged, expired or foreign-audience JWT with 401", async () => {
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      garbage: { "Cf-Access-Jwt-Assertion": "not.a.jwt" },
      "wrong key": { "Cf-Access-Jwt-Assertion": await accessJwt({}, otherPrivateKey) },
      expired: { "Cf-Access-Jwt-Assertion": await accessJwt({ exp: Math.floor(Date.now() / 1000) - 60 }) },
      "other audience": { "Cf-Access-Jwt-Assertion": await accessJwt({ aud: ["someone-elses-app"] }) },
      "other issuer": { "Cf-Access-Jwt-Assertion": await accessJwt({ iss: "https://evil.cloudflareaccess.com" }) },
    };
    for (const [name, headers] of Object.entries(cases)) {
      const response = await production("/settings", headers);
      expect(response.status, name).toBe(401);
      const body = await response.text();
      expect(body, name).toContain("Cloudflare Access");
      // The token is never echoed back.
      if (headers["Cf-Access-Jwt-Assertion"]) expect(body).not.toContain(headers["Cf-Access-Jwt-Assertion"]);
    }
  });

  it("verifies a session's JWT once, then trusts it until it expires (at most five minutes)", async () => {
    let keyLookups = 0;
    const app = createApp({
      identity: {
        accessKeys: async () => {
          keyLookups++;
          return [publicJwk as never];
        },
      },
    });
    const token = await accessJwt({ sub: `cache-${crypto.randomUUID()}` });
    const view = (env: Env) => app.fetch(new Request(`${ORIGIN}/settings`, { headers: { "Cf-Access-Jwt-Assertion": token } }), env, createExecutionContext());
    expect((await view(productionEnv)).status).toBe(200);
    expect((await view(productionEnv)).status).toBe(200);
    expect(keyLookups).toBe(1);
    // Another audience is another application: the same token is verified again there, and refused.
    expect((await view({ ...productionEnv, CF_ACCESS_AUD: "another-app" } as Env)).status).toBe(401);
    expect(keyLookups).toBe(2);
  });

  it("has no development sign-in in production", async () => {
    expect((await production("/dev/sign-in")).status).toBe(404);
  });

  it("ignores a development session cookie in production", async () => {
    const response = await production("/settings", { Cookie: "wos_dev_session=anything" });
    expect(response.status).toBe(401);
  });

  it("refuses to run when production configuration is incomplete, naming nothing secret", async () => {
    const app = createApp();
    const response = await app.fetch(new Request(`${ORIGIN}/settings`), { ...productionEnv, CF_ACCESS_AUD: "" } as Env, createExecutionContext());
    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain(env.SESSION_SECRET);
  });
});
