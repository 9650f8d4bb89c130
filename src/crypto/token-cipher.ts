import { decodeBase64 } from "../lib/encoding";

/**
 * AES-256-GCM for tokens at rest, with key ids so keys can rotate: the current key encrypts, older keys still
 * decrypt, and a value sealed under an old key is re-sealed under the current one the next time it is read.
 *
 * Key format (secrets): `TOKEN_ENCRYPTION_KEY=<id>:<base64 32 bytes>`,
 * `TOKEN_ENCRYPTION_KEYS_PREVIOUS=<id>:<base64>,<id>:<base64>`.
 */
export interface SealedValue {
  keyId: string;
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
}

export class TokenKeyError extends Error {
  override name = "TokenKeyError";
}

interface KeyEntry {
  id: string;
  key: Promise<CryptoKey>;
}

function parseKey(spec: string, origin: string): { id: string; raw: Uint8Array<ArrayBuffer> } {
  const separator = spec.indexOf(":");
  const id = spec.slice(0, separator).trim();
  if (separator <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new TokenKeyError(`${origin} must look like <key-id>:<base64 key>`);
  let raw: Uint8Array;
  try {
    raw = decodeBase64(spec.slice(separator + 1).trim());
  } catch {
    throw new TokenKeyError(`${origin} key ${id} is not valid base64`);
  }
  if (raw.byteLength !== 32) throw new TokenKeyError(`${origin} key ${id} must be 32 bytes (AES-256)`);
  return { id, raw: new Uint8Array(raw) };
}

export class TokenCipher {
  readonly currentKeyId: string;
  private readonly keys = new Map<string, KeyEntry>();

  constructor(current: string, previous = "") {
    const importKey = (raw: Uint8Array<ArrayBuffer>) => crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    const head = parseKey(current, "TOKEN_ENCRYPTION_KEY");
    this.currentKeyId = head.id;
    this.keys.set(head.id, { id: head.id, key: importKey(head.raw) });
    for (const spec of previous
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const entry = parseKey(spec, "TOKEN_ENCRYPTION_KEYS_PREVIOUS");
      if (!this.keys.has(entry.id)) this.keys.set(entry.id, { id: entry.id, key: importKey(entry.raw) });
    }
  }

  static fromEnv(env: Pick<Env, "TOKEN_ENCRYPTION_KEY" | "TOKEN_ENCRYPTION_KEYS_PREVIOUS">): TokenCipher {
    if (!env.TOKEN_ENCRYPTION_KEY) throw new TokenKeyError("TOKEN_ENCRYPTION_KEY is not set");
    return new TokenCipher(env.TOKEN_ENCRYPTION_KEY, env.TOKEN_ENCRYPTION_KEYS_PREVIOUS ?? "");
  }

  /** `context` is bound as additional data, so a sealed value moved to another user or source will not open. */
  async seal(plaintext: string, context: string): Promise<SealedValue> {
    const entry = this.keys.get(this.currentKeyId)!;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
      await entry.key,
      new TextEncoder().encode(plaintext),
    );
    return { keyId: entry.id, iv, ciphertext: new Uint8Array(ciphertext) };
  }

  async open(sealed: SealedValue, context: string): Promise<string> {
    const entry = this.keys.get(sealed.keyId);
    if (!entry) throw new TokenKeyError(`no key with id ${sealed.keyId} is configured`);
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.iv, additionalData: new TextEncoder().encode(context) },
      await entry.key,
      sealed.ciphertext,
    );
    return new TextDecoder().decode(plaintext);
  }
}
