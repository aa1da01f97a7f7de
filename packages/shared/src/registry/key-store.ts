import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { newId } from '../ids.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { WebhookKeyMeta, WebhookSecret } from './types.js';

interface StoredKey extends WebhookKeyMeta {
  /** The secret, sealed with the master key (AES-256-GCM, the key id as associated data). */
  sealed: string;
}

/**
 * A webhook's signing keys. Secrets are sealed before they reach Redis; only `secrets()` and `primary()` open them,
 * for the ingress cache and the key file.
 */
export class KeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Stores `secret` as the new primary key. The previous primary stays valid for `graceSeconds` (0: revoked now);
   * keys already expired are dropped.
   */
  async addPrimary(webhookId: string, secret: string, graceSeconds: number): Promise<WebhookSecret> {
    const now = this.now();
    const stored = await this.loadAll(webhookId);
    const tx = this.redis.multi();
    for (const key of stored) {
      const expired = key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime();
      if (key.primary && graceSeconds > 0) {
        const retired: StoredKey = { ...key, primary: false, expiresAt: new Date(now.getTime() + graceSeconds * 1000).toISOString() };
        tx.hset(this.keys.webhookKeys(webhookId), key.id, JSON.stringify(retired));
      } else if (key.primary || expired) {
        tx.hdel(this.keys.webhookKeys(webhookId), key.id);
      }
    }
    const id = newId('key');
    const created: StoredKey = { id, primary: true, createdAt: now.toISOString(), expiresAt: null, sealed: this.box.seal(secret, id) };
    tx.hset(this.keys.webhookKeys(webhookId), id, JSON.stringify(created));
    tx.publish(this.keys.webhookChanges, webhookId);
    await tx.exec();
    return { id, secret, primary: true, createdAt: created.createdAt, expiresAt: null };
  }

  /** Metadata of every key not yet expired, primary first, then newest first. */
  async list(webhookId: string): Promise<WebhookKeyMeta[]> {
    const nowMs = this.now().getTime();
    return (await this.loadAll(webhookId))
      .filter((key) => key.expiresAt === null || Date.parse(key.expiresAt) > nowMs)
      .map(({ sealed: _sealed, ...meta }) => meta);
  }

  /** Every key with its secret opened, including ones whose grace period has run out (the caller checks `expiresAt`). */
  async secrets(webhookId: string): Promise<WebhookSecret[]> {
    return (await this.loadAll(webhookId)).map(({ sealed, ...meta }) => ({ ...meta, secret: this.box.open(sealed, meta.id) }));
  }

  async primary(webhookId: string): Promise<WebhookSecret | null> {
    return (await this.secrets(webhookId)).find((key) => key.primary) ?? null;
  }

  private async loadAll(webhookId: string): Promise<StoredKey[]> {
    const raw = await this.redis.hvals(this.keys.webhookKeys(webhookId));
    return raw
      .map((value) => JSON.parse(value) as StoredKey)
      .sort((a, b) => Number(b.primary) - Number(a.primary) || b.createdAt.localeCompare(a.createdAt));
  }
}

/** True while a key may still verify requests at `nowMs`. */
export function isKeyActive(key: { expiresAt: string | null }, nowMs: number): boolean {
  return key.expiresAt === null || Date.parse(key.expiresAt) > nowMs;
}
