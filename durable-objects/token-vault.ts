import { TokenCipher } from "../src/crypto/token-cipher";
import { database } from "../src/db/client";
import { recordTokenExpiry, updateConnectionStatus } from "../src/db/connections";
import { catalogEntry } from "../src/domain/catalog";
import type { SourceId } from "../src/domain/integration";
import { type ConnectionMode, type EngineOptions, refreshTokenSet, resolveOAuthClient } from "../src/oauth/engine";
import { isTerminalGrantError, ProviderUnavailableError, TokenResponseError } from "../src/oauth/errors";
import type { TokenSet } from "../src/providers/types";

/** Refresh this long before the provider's expiry, so a token never expires in the middle of a sync. */
export const REFRESH_AHEAD_MS = 5 * 60 * 1000;

export type AccessResult =
  | { ok: true; accessToken: string; expiresAt: number | null; context: Record<string, string>; mode: ConnectionMode }
  | { ok: false; reason: "not_connected" | "needs_reauth" }
  | { ok: false; reason: "unavailable"; retryAfterSeconds: number | null };

interface TokenRow extends Record<string, SqlStorageValue> {
  source: string;
  mode: string;
  key_id: string;
  iv: ArrayBuffer;
  ciphertext: ArrayBuffer;
  expires_at: number | null;
}

/**
 * The per-user token vault, inside the user's Durable Object: tokens sealed with AES-GCM in the object's SQLite
 * storage, refreshed ahead of expiry, one refresh at a time per connection (so a rotating refresh token is never
 * spent twice), and dropped, with the connection marked `needs_reauth`, when the provider says the grant is gone.
 */
export class TokenVault {
  private readonly inFlight = new Map<string, Promise<AccessResult>>();
  private cipherInstance: TokenCipher | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly engine: EngineOptions = {},
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS tokens (
      source TEXT PRIMARY KEY,
      mode TEXT NOT NULL,
      key_id TEXT NOT NULL,
      iv BLOB NOT NULL,
      ciphertext BLOB NOT NULL,
      expires_at INTEGER,
      updated_at INTEGER NOT NULL
    )`);
  }

  private get cipher(): TokenCipher {
    this.cipherInstance ??= TokenCipher.fromEnv(this.env);
    return this.cipherInstance;
  }

  async store(userId: string, source: SourceId, mode: ConnectionMode, tokens: TokenSet): Promise<void> {
    const sealed = await this.cipher.seal(JSON.stringify(tokens), `${userId}:${source}`);
    this.sql.exec(
      `INSERT INTO tokens (source, mode, key_id, iv, ciphertext, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(source) DO UPDATE SET mode = excluded.mode, key_id = excluded.key_id, iv = excluded.iv,
         ciphertext = excluded.ciphertext, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
      source,
      mode,
      sealed.keyId,
      sealed.iv,
      sealed.ciphertext,
      tokens.expiresAt,
      Date.now(),
    );
  }

  /** Whether tokens are held for `source`: what "connected" means inside the object (the record store asks). */
  has(source: SourceId): boolean {
    return this.sql.exec("SELECT 1 FROM tokens WHERE source = ?", source).toArray().length > 0;
  }

  /** Every source whose tokens are held: the sources connected in this object (the daily picture asks). */
  sources(): SourceId[] {
    return this.sql
      .exec<{ source: SourceId }>("SELECT source FROM tokens ORDER BY source")
      .toArray()
      .map((row) => row.source);
  }

  drop(source: SourceId): void {
    this.sql.exec("DELETE FROM tokens WHERE source = ?", source);
  }

  /** The stored tokens, re-sealed under the current key if they were sealed under an older one. */
  async read(userId: string, source: SourceId): Promise<{ tokens: TokenSet; mode: ConnectionMode } | null> {
    const row = this.sql.exec<TokenRow>("SELECT * FROM tokens WHERE source = ?", source).toArray()[0];
    if (!row) return null;
    const context = `${userId}:${source}`;
    const tokens = JSON.parse(
      await this.cipher.open({ keyId: row.key_id, iv: new Uint8Array(row.iv), ciphertext: new Uint8Array(row.ciphertext) }, context),
    ) as TokenSet;
    const mode = row.mode as ConnectionMode;
    if (row.key_id !== this.cipher.currentKeyId) await this.store(userId, source, mode, tokens);
    return { tokens, mode };
  }

  /**
   * A usable access token. Refreshes when the token is within REFRESH_AHEAD_MS of expiry, or when the caller
   * saw a 401 (`forceRefresh`). Concurrent callers share one refresh.
   */
  async accessToken(userId: string, source: SourceId, options: { forceRefresh?: boolean } = {}): Promise<AccessResult> {
    const stored = await this.read(userId, source);
    if (!stored) return { ok: false, reason: "not_connected" };
    const { tokens, mode } = stored;
    const fresh = tokens.expiresAt === null || tokens.expiresAt - Date.now() > REFRESH_AHEAD_MS;
    if (fresh && !options.forceRefresh) return { ok: true, accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, context: tokens.context, mode };
    const running = this.inFlight.get(source);
    if (running) return running;
    const refresh = this.refresh(userId, source, tokens, mode).finally(() => this.inFlight.delete(source));
    this.inFlight.set(source, refresh);
    return refresh;
  }

  private async refresh(userId: string, source: SourceId, current: TokenSet, mode: ConnectionMode): Promise<AccessResult> {
    const name = catalogEntry(source).name;
    if (!current.refreshToken) {
      await this.revokeAccess(userId, source, `${name}'s access has expired and it offers no way to renew it without you. Reconnect to resume syncing.`);
      return { ok: false, reason: "needs_reauth" };
    }
    try {
      const client = await resolveOAuthClient(source, this.env, mode, this.engine);
      const next = await refreshTokenSet(client, current, this.engine);
      await this.store(userId, source, mode, next);
      await recordTokenExpiry(database(this.env.DB), userId, source, next.expiresAt);
      return { ok: true, accessToken: next.accessToken, expiresAt: next.expiresAt, context: next.context, mode };
    } catch (error) {
      if (isTerminalGrantError(error) || error instanceof TokenResponseError) {
        await this.revokeAccess(
          userId,
          source,
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

  private async revokeAccess(userId: string, source: SourceId, reason: string): Promise<void> {
    this.drop(source);
    await updateConnectionStatus(database(this.env.DB), userId, source, "needs_reauth", reason);
  }
}
