import { LRUCache } from 'lru-cache';
import type { RedisClient } from '@hookflow/shared';
import { isId, type KeyStore, type Keys, type WebhookRecord, type WebhookSecret, type WebhookStore } from '@hookflow/shared';

export interface CachedWebhook {
  webhook: WebhookRecord;
  /** Every key with its secret; callers filter by `expiresAt` with their own clock. */
  secrets: WebhookSecret[];
}

type Entry = { value: CachedWebhook | null; expiresAt: number };

export interface WebhookCacheLimits {
  /** Webhooks kept (default 10000); past it the least recently used is dropped and read again when next asked for. */
  maxFound?: number;
  /** "No such webhook" answers kept (default 10000), apart from the found ones so a flood of unknown ids cannot evict them. */
  maxNotFound?: number;
}

/**
 * In-memory copy of webhook records and their opened secrets, so the hot path does no Redis read. Entries are
 * dropped when a `webhookChanges` message names them (every replica subscribes), when the subscription reconnects
 * (messages may have been missed), and after `ttlMs` as a last safety net.
 *
 * Both halves are bounded by count: anyone can ask for any id, and an unknown one is remembered (so repeating it
 * costs no Redis read) only among the last `maxNotFound` unknown ids asked for.
 */
export class WebhookCache {
  readonly #found: LRUCache<string, Entry>;
  readonly #notFound: LRUCache<string, Entry>;
  readonly #loading = new Map<string, Promise<CachedWebhook | null>>();
  /** Bumped by every invalidation, so a load that raced with one does not store what it read before it. */
  #generation = 0;

  constructor(
    private readonly webhooks: WebhookStore,
    private readonly keyStore: KeyStore,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    limits: WebhookCacheLimits = {},
  ) {
    this.#found = new LRUCache({ max: limits.maxFound ?? 10_000 });
    this.#notFound = new LRUCache({ max: limits.maxNotFound ?? 10_000 });
  }

  /** How many ids are cached, found and not found: for tests and the memory figures of the bench. */
  get size(): { found: number; notFound: number } {
    return { found: this.#found.size, notFound: this.#notFound.size };
  }

  /** Subscribes `subscriber` (a dedicated connection) to change announcements. */
  async listen(subscriber: RedisClient, keys: Keys): Promise<void> {
    subscriber.on('message', (_channel: string, webhookId: string) => this.invalidate(webhookId));
    subscriber.on('ready', () => this.clear());
    await subscriber.subscribe(keys.webhookChanges);
  }

  async get(webhookId: string): Promise<CachedWebhook | null> {
    if (!isId('wh', webhookId)) return null;
    const hit = this.#entry(webhookId);
    if (hit) return hit.value;
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
    return this.#entry(webhookId)?.value;
  }

  #entry(webhookId: string): Entry | undefined {
    const hit = this.#found.get(webhookId) ?? this.#notFound.get(webhookId);
    return hit && hit.expiresAt > this.now() ? hit : undefined;
  }

  invalidate(webhookId: string): void {
    this.#generation++;
    this.#found.delete(webhookId);
    this.#notFound.delete(webhookId);
    this.#loading.delete(webhookId);
  }

  clear(): void {
    this.#generation++;
    this.#found.clear();
    this.#notFound.clear();
    this.#loading.clear();
  }

  async #load(webhookId: string): Promise<CachedWebhook | null> {
    const generation = this.#generation;
    const webhook = await this.webhooks.find(webhookId);
    const value = webhook ? { webhook, secrets: await this.keyStore.secrets(webhookId) } : null;
    if (generation === this.#generation)
      (value ? this.#found : this.#notFound).set(webhookId, { value, expiresAt: this.now() + this.ttlMs });
    return value;
  }
}
