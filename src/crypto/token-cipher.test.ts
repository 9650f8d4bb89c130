import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TokenVault } from "../../durable-objects/token-vault";
import { TokenCipher, TokenKeyError } from "./token-cipher";

const KEY_A = "a:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const KEY_B = "b:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

describe("TokenCipher", () => {
  it("round-trips, with a fresh IV each time and the current key id", async () => {
    const cipher = new TokenCipher(KEY_A);
    const first = await cipher.seal("refresh-token-value", "usr_1:oura");
    const second = await cipher.seal("refresh-token-value", "usr_1:oura");
    expect(first.keyId).toBe("a");
    expect(first.iv).not.toEqual(second.iv);
    expect(new TextDecoder().decode(first.ciphertext)).not.toContain("refresh-token-value");
    expect(await cipher.open(first, "usr_1:oura")).toBe("refresh-token-value");
  });

  it("will not open a value moved to another user or source (the context is authenticated)", async () => {
    const cipher = new TokenCipher(KEY_A);
    const sealed = await cipher.seal("secret", "usr_1:oura");
    await expect(cipher.open(sealed, "usr_2:oura")).rejects.toThrow();
    await expect(cipher.open(sealed, "usr_1:whoop")).rejects.toThrow();
  });

  it("rotates: old keys still open what they sealed, new seals use the current key", async () => {
    const old = new TokenCipher(KEY_A);
    const sealedUnderA = await old.seal("secret", "ctx");
    const rotated = new TokenCipher(KEY_B, KEY_A);
    expect(await rotated.open(sealedUnderA, "ctx")).toBe("secret");
    expect((await rotated.seal("secret", "ctx")).keyId).toBe("b");
    // Once a key is removed from the previous list, what it sealed can no longer be opened.
    await expect(new TokenCipher(KEY_B).open(sealedUnderA, "ctx")).rejects.toThrow(TokenKeyError);
  });

  it("refuses malformed keys with a message that names the variable, not the value", () => {
    expect(() => new TokenCipher("no-separator")).toThrow("TOKEN_ENCRYPTION_KEY must look like <key-id>:<base64 key>");
    expect(() => new TokenCipher("k:c2hvcnQ=")).toThrow("must be 32 bytes");
    expect(() => new TokenCipher(KEY_A, "bad")).toThrow("TOKEN_ENCRYPTION_KEYS_PREVIOUS");
  });
});

describe("TokenVault key rotation in a Durable Object", () => {
  it("re-seals tokens under the current key the first time they are read after a rotation", async () => {
    const stub = env.USER_HUB.get(env.USER_HUB.idFromName("rotation-user"));
    await runInDurableObject(stub, async (_instance, state) => {
      const before = new TokenVault(state.storage.sql, { ...env, TOKEN_ENCRYPTION_KEY: KEY_A, TOKEN_ENCRYPTION_KEYS_PREVIOUS: "" } as Env);
      await before.store("rotation-user", "oura", "sandbox", { accessToken: "at", refreshToken: "rt", expiresAt: null, scope: null, context: {} });
      const after = new TokenVault(state.storage.sql, { ...env, TOKEN_ENCRYPTION_KEY: KEY_B, TOKEN_ENCRYPTION_KEYS_PREVIOUS: KEY_A } as Env);
      expect((await after.read("rotation-user", "oura"))?.tokens.refreshToken).toBe("rt");
      const [row] = state.storage.sql.exec<{ key_id: string }>("SELECT key_id FROM vault_tokens WHERE source = 'oura'").toArray();
      expect(row?.key_id).toBe("b");
      // Nothing in storage is the token in the clear.
      const raw = JSON.stringify(state.storage.sql.exec("SELECT * FROM vault_tokens").toArray(), (_k, v) =>
        v instanceof ArrayBuffer ? new TextDecoder().decode(v) : v,
      );
      expect(raw).not.toContain('"rt"');
    });
  });
});
