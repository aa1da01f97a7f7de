import type { RedisClient } from '@hookflow/shared';
import { isId, type KeyStore, type Keys, type WebhookRecord, type WebhookSecret, type WebhookStore } from '@hookflow/shared';

export interface CachedWebhook {
  webhook: WebhookRecord;
  /** Every key with its secret; callers filter by `expiresAt` with their own clock. */
  secrets: WebhookSecret[];
}

/**
 * In-memory copy of webhook records and their opened secrets, so the hot path does no Redis read. Entries are
 * dropped when a `webhookChanges` message names them (every replica subscribes), when the subscription reconnects
 * (messages may have been missed), and after `ttlMs` as a last safety net.
 */
export class WebhookCache {
  readonly #entries = new Map<string, { value: CachedWebhook | null; expiresAt: number }>();
  readonly #loading = new Map<string, Promise<CachedWebhook | null>>();
  /** Bumped by every invalidation, so a load that raced with one does not store what it read before it. */
  #generation = 0;

  constructor(
    private readonly webhooks: WebhookStore,
    private readonly keyStore: KeyStore,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribes `subscriber` (a dedicated connection) to change announcements. */
  async listen(subscriber: RedisClient, keys: Keys): Promise<void> {
    subscriber.on('message', (_channel: string, webhookId: string) => this.invalidate(webhookId));
    subscriber.on('ready', () => this.clear());
    await subscriber.subscribe(keys.webhookChanges);
  }

  async get(webhookId: string): Promise<CachedWebhook | null> {
    if (!isId('wh', webhookId)) return null;
    const hit = this.#entries.get(webhookId);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    let loading = this.#loading.get(webhookId);
    if (!loading) {
      const promise = this.#load(webhookId).finally(() => {
        if (this.#loading.get(webhookId) === promise) this.#loading.delete(webhookId);
      });
      loading = promise;
      this.#loading.set(webhookId, loading);
    }
    return loading;
  }

  /** What is cached for `webhookId` right now, without loading: for bookkeeping after a request was served. */
  peek(webhookId: string): CachedWebhook | null | undefined {
    const hit = this.#entries.get(webhookId);
    return hit && hit.expiresAt > this.now() ? hit.value : undefined;
  }

  invalidate(webhookId: string): void {
    this.#generation++;
    this.#entries.delete(webhookId);
    this.#loading.delete(webhookId);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#loading.clear();
  }

  async #load(webhookId: string): Promise<CachedWebhook | null> {
    const generation = this.#generation;
    const webhook = await this.webhooks.find(webhookId);
    const value = webhook ? { webhook, secrets: await this.keyStore.secrets(webhookId) } : null;
    if (generation === this.#generation) this.#entries.set(webhookId, { value, expiresAt: this.now() + this.ttlMs });
    return value;
  }
}
