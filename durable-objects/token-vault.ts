import { getTableName } from "drizzle-orm";
import { TokenCipher } from "../src/crypto/token-cipher";
import { database } from "../src/db/client";
import { recordTokenExpiry, updateConnectionStatus } from "../src/db/connections";
import { catalogEntry } from "../src/domain/catalog";
import type { SourceId } from "../src/domain/integration";
import { type ConnectionMode, type EngineOptions, refreshTokenSet, resolveOAuthClient } from "../src/oauth/engine";
import { isTerminalGrantError, ProviderUnavailableError, TokenResponseError } from "../src/oauth/errors";
import type { TokenSet } from "../src/providers/types";
import { vaultTokens } from "./token-vault-schema";

/** The vault's table, as its schema (and the migrations generated from it) name it. */
const TOKENS = getTableName(vaultTokens);

/** Refresh this long before the provider's expiry, so a token never expires in the middle of a sync. */
export const REFRESH_AHEAD_MS = 5 * 60 * 1000;

export type AccessResult =
  | { ok: true; accessToken: string; expiresAt: number | null; context: Record<string, string>; mode: ConnectionMode }
  | { ok: false; reason: "not_connected" | "needs_reauth" }
  | { ok: false; reason: "unavailable"; retryAfterSeconds: number | null };

interface TokenRow extends Record<string, SqlStorageValue> {
  source: string;
  account: string;
  mode: string;
  key_id: string;
  iv: ArrayBuffer;
  ciphertext: ArrayBuffer;
  expires_at: number | null;
}

/** Which connection's tokens: the source and its account ("" for a source's only connection; a health system's FHIR base). */
export interface VaultKey {
  source: SourceId;
  account: string;
}

export const vaultKey = (source: SourceId, account = ""): VaultKey => ({ source, account });

/** A connection as callers name it: a bare source is that source's only connection. */
export type VaultTarget = SourceId | VaultKey;

export const toVaultKey = (target: VaultTarget): VaultKey => (typeof target === "string" ? { source: target, account: "" } : target);

/**
 * What the seal is bound to: tokens opened under another person's or another connection's name fail to decrypt,
 * so a row copied between keys is useless. The single-account form predates accounts and is kept as it was.
 */
const sealContext = (userId: string, key: VaultKey) => (key.account ? `${userId}:${key.source}:${key.account}` : `${userId}:${key.source}`);

const flightKey = (key: VaultKey) => `${key.source}\u0000${key.account}`;

/**
 * The per-user token vault, inside the user's Durable Object: tokens sealed with AES-GCM in the object's SQLite
 * storage, refreshed ahead of expiry, one refresh at a time per connection (so a rotating refresh token is never
 * spent twice), and dropped, with the connection marked `needs_reauth`, when the provider says the grant is gone.
 */
export class TokenVault {
  private readonly inFlight = new Map<string, Promise<AccessResult>>();
  private cipherInstance: TokenCipher | null = null;

  // The table (vault_tokens, durable-objects/token-vault-schema.ts) comes from the object's migrations, applied
  // before any request reaches the object.
  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly engine: EngineOptions = {},
  ) {}

  private get cipher(): TokenCipher {
    this.cipherInstance ??= TokenCipher.fromEnv(this.env);
    return this.cipherInstance;
  }

  async store(userId: string, target: VaultTarget, mode: ConnectionMode, tokens: TokenSet): Promise<void> {
    const key = toVaultKey(target);
    const sealed = await this.cipher.seal(JSON.stringify(tokens), sealContext(userId, key));
    this.sql.exec(
      `INSERT INTO ${TOKENS} (source, account, mode, key_id, iv, ciphertext, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(source, account) DO UPDATE SET mode = excluded.mode, key_id = excluded.key_id, iv = excluded.iv,
         ciphertext = excluded.ciphertext, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
      key.source,
      key.account,
      mode,
      sealed.keyId,
      sealed.iv,
      sealed.ciphertext,
      tokens.expiresAt,
      Date.now(),
    );
  }

  /** Whether tokens are held for a connection: what "connected" means inside the object (the record store asks). */
  has(target: VaultTarget): boolean {
    const key = toVaultKey(target);
    return this.sql.exec(`SELECT 1 FROM ${TOKENS} WHERE source = ? AND account = ?`, key.source, key.account).toArray().length > 0;
  }

  /** Every source with a connection held here: the sources connected in this object (the daily picture asks). */
  sources(): SourceId[] {
    return this.sql
      .exec<{ source: SourceId }>(`SELECT DISTINCT source FROM ${TOKENS} ORDER BY source`)
      .toArray()
      .map((row) => row.source);
  }

  drop(target: VaultTarget): void {
    const key = toVaultKey(target);
    this.sql.exec(`DELETE FROM ${TOKENS} WHERE source = ? AND account = ?`, key.source, key.account);
  }

  /** The stored tokens, re-sealed under the current key if they were sealed under an older one. */
  async read(userId: string, target: VaultTarget): Promise<{ tokens: TokenSet; mode: ConnectionMode } | null> {
    const key = toVaultKey(target);
    const row = this.sql.exec<TokenRow>(`SELECT * FROM ${TOKENS} WHERE source = ? AND account = ?`, key.source, key.account).toArray()[0];
    if (!row) return null;
    const tokens = JSON.parse(
      await this.cipher.open({ keyId: row.key_id, iv: new Uint8Array(row.iv), ciphertext: new Uint8Array(row.ciphertext) }, sealContext(userId, key)),
    ) as TokenSet;
    const mode = row.mode as ConnectionMode;
    if (row.key_id !== this.cipher.currentKeyId) await this.store(userId, key, mode, tokens);
    return { tokens, mode };
  }

  /**
   * A usable access token. Refreshes when the token is within REFRESH_AHEAD_MS of expiry, or when the caller
   * saw a 401 (`forceRefresh`). Concurrent callers share one refresh.
   */
  async accessToken(userId: string, target: VaultTarget, options: { forceRefresh?: boolean } = {}): Promise<AccessResult> {
    const key = toVaultKey(target);
    const stored = await this.read(userId, key);
    if (!stored) return { ok: false, reason: "not_connected" };
    const { tokens, mode } = stored;
    const fresh = tokens.expiresAt === null || tokens.expiresAt - Date.now() > REFRESH_AHEAD_MS;
    if (fresh && !options.forceRefresh) return { ok: true, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, context: tokens.context, mode };
    const running = this.inFlight.get(flightKey(key));
    if (running) return running;
    const refresh = this.refresh(userId, key, tokens, mode).finally(() => this.inFlight.delete(flightKey(key)));
    this.inFlight.set(flightKey(key), refresh);
    return refresh;
  }

  private async refresh(userId: string, key: VaultKey, current: TokenSet, mode: ConnectionMode): Promise<AccessResult> {
    const { source } = key;
    const name = catalogEntry(source).name;
    if (!current.refreshToken) {
      await this.revokeAccess(userId, key, `${name}'s access has expired and it offers no way to renew it without you. Reconnect to resume syncing.`);
      return { ok: false, reason: "needs_reauth" };
    }
    try {
      const fhirBase = current.context.fhirBase;
      const client = await resolveOAuthClient(source, this.env, mode, fhirBase ? { ...this.engine, fhirBase } : this.engine);
      const next = await refreshTokenSet(client, current, this.engine);
      await this.store(userId, key, mode, next);
      await recordTokenExpiry(database(this.env.DB), userId, { sourceId: source, account: key.account }, next.expiresAt);
      return { ok: true, accessToken: next.accessToken, expiresAt: next.expiresAt, context: next.context, mode };
    } catch (error) {
      if (isTerminalGrantError(error) || error instanceof TokenResponseError) {
        await this.revokeAccess(
          userId,
          key,
          `${name} no longer accepts Wellness OS's access (it may have been revoked or expired). Reconnect to resume syncing.`,
        );
        return { ok: false, reason: "needs_reauth" };
      }
      // Anything else (5xx, timeout, rate limit, a 400 without an OAuth error) may pass: keep the tokens.
      const retryAfterSeconds = error instanceof ProviderUnavailableError ? error.retryAfterSeconds : null;
      console.warn(
        JSON.stringify({ event: "token_refresh_unavailable", source, reason: error instanceof ProviderUnavailableError ? error.reason : "unexpected" }),
      );
      return { ok: false, reason: "unavailable", retryAfterSeconds };
    }
  }

  private async revokeAccess(userId: string, key: VaultKey, reason: string): Promise<void> {
    this.drop(key);
    await updateConnectionStatus(database(this.env.DB), userId, { sourceId: key.source, account: key.account }, "needs_reauth", reason);
  }
}
