import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { MalformedPayloadError } from "../../domain/records";
import { utf8 } from "../../lib/encoding";
import connectionCreated from "./fixtures/event-provider-connection-created.json";
import vector from "./fixtures/standard-webhooks-test-vector.json";
import { junctionWebhook, verifyJunction } from "./webhook";

// Test secrets are made at run time (never a whole `whsec_` value in the repository).
const secretA = `whsec_${btoa("junction-test-key-a")}`;
const secretB = `whsec_${btoa("junction-test-key-b")}`;
const vectorSecret = `whsec_${vector.secret_base64_parts.join("")}`;

const NOW = 1_780_000_000_000;
const env = (secret: string) => ({ JUNCTION_WEBHOOK_SECRET: secret }) as unknown as Env;

/** A delivery signed by the svix library itself, as Junction's Svix signs it. */
function signed(secret: string, body: string, options: { id?: string; at?: number } = {}) {
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const at = new Date(options.at ?? NOW);
  const signature = new SvixWebhook(secret).sign(id, at, body);
  return { id, body, headers: new Headers({ "svix-id": id, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": signature }) };
}

describe("Junction webhook verification", () => {
  it("accepts the Standard Webhooks published test vector", async () => {
    const headers = new Headers({ "svix-id": vector.msg_id, "svix-timestamp": String(vector.timestamp), "svix-signature": vector.expected_signature });
    expect(await verifyJunction(headers, utf8(vector.payload), env(vectorSecret), vector.timestamp * 1000 + 10_000)).toEqual({ ok: true });
    // The same vector with one byte of the payload changed is refused.
    expect(await verifyJunction(headers, utf8(vector.payload.replace("2432", "2433")), env(vectorSecret), vector.timestamp * 1000)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("accepts a delivery signed by the svix library", async () => {
    const delivery = signed(secretA, JSON.stringify(connectionCreated));
    expect(await verifyJunction(delivery.headers, utf8(delivery.body), env(secretA), NOW)).toEqual({ ok: true });
  });

  it("refuses a delivery signed with another secret", async () => {
    const delivery = signed(secretB, JSON.stringify(connectionCreated));
    expect(await verifyJunction(delivery.headers, utf8(delivery.body), env(secretA), NOW)).toEqual({
      ok: false,
      status: 401,
      reason: "signature does not match",
    });
  });

  it("accepts up to five minutes either side of the signature's time, and nothing beyond", async () => {
    const delivery = signed(secretA, "{}");
    const at = (now: number) => verifyJunction(delivery.headers, utf8(delivery.body), env(secretA), now);
    expect(await at(NOW + 300_000)).toEqual({ ok: true });
    expect(await at(NOW - 300_000)).toEqual({ ok: true });
    expect(await at(NOW + 301_000)).toEqual({ ok: false, status: 401, reason: "signature timestamp is outside the accepted window" });
    expect(await at(NOW - 301_000)).toEqual({ ok: false, status: 401, reason: "signature timestamp is outside the accepted window" });
  });

  it("refuses a signature moved onto another timestamp", async () => {
    const delivery = signed(secretA, "{}");
    delivery.headers.set("svix-timestamp", String(NOW / 1000 + 1));
    expect(await verifyJunction(delivery.headers, utf8(delivery.body), env(secretA), NOW)).toEqual({
      ok: false,
      status: 401,
      reason: "signature does not match",
    });
  });

  it("during a rotation, accepts either configured secret and any of several signatures", async () => {
    const body = JSON.stringify(connectionCreated);
    const rotating = env(`${secretA} ${secretB}`);
    for (const secret of [secretA, secretB]) {
      const delivery = signed(secret, body);
      expect(await verifyJunction(delivery.headers, utf8(body), rotating, NOW)).toEqual({ ok: true });
    }
    // Svix signs with the old and the new secret during its own rotation: one header, two signatures.
    const old = signed(secretA, body, { id: "msg_rotation" });
    const next = signed(secretB, body, { id: "msg_rotation" });
    const both = new Headers(old.headers);
    both.set("svix-signature", `${next.headers.get("svix-signature")} ${old.headers.get("svix-signature")}`);
    expect(await verifyJunction(both, utf8(body), env(secretA), NOW)).toEqual({ ok: true });
    expect(await verifyJunction(both, utf8(body), env(secretB), NOW)).toEqual({ ok: true });
  });

  it("refuses a delivery without the svix headers, and everything when no secret is configured", async () => {
    const delivery = signed(secretA, "{}");
    for (const name of ["svix-id", "svix-timestamp", "svix-signature"]) {
      const headers = new Headers(delivery.headers);
      headers.delete(name);
      expect(await verifyJunction(headers, utf8("{}"), env(secretA), NOW)).toEqual({ ok: false, status: 401, reason: "missing svix signature headers" });
    }
    expect(await verifyJunction(delivery.headers, utf8("{}"), env(""), NOW)).toEqual({
      ok: false,
      status: 401,
      reason: "Junction webhooks are not configured",
    });
  });
});

describe("Junction webhook parse", () => {
  it("keeps the whole envelope for the consumer, keyed by the svix-id", () => {
    const headers = new Headers({ "svix-id": "msg_abc" });
    expect(junctionWebhook.parse(connectionCreated, NOW, headers)).toEqual([
      { eventId: "msg_abc", externalUserId: connectionCreated.user_id, pages: [{ kind: "provider.connection.created", body: connectionCreated.data }] },
    ]);
  });

  it("refuses a body that is not Junction's envelope", () => {
    const headers = new Headers({ "svix-id": "msg_abc" });
    for (const body of [
      {},
      { ...connectionCreated, user_id: "" },
      { ...connectionCreated, data: [] },
      { ...connectionCreated, event_type: "no spaces allowed" },
    ]) {
      expect(() => junctionWebhook.parse(body, NOW, headers), JSON.stringify(body)).toThrow(MalformedPayloadError);
    }
    expect(() => junctionWebhook.parse(connectionCreated, NOW, new Headers())).toThrow(MalformedPayloadError);
  });
});
