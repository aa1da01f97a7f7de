import { createHash } from 'node:crypto';
import { deliveryField, jobKey, LuaScript, type Keys, type RedisClient } from '@hookflow/shared';
import { DedupeBusyError } from './dedupe-busy-error.js';

/** Sets the marker unless one exists; returns the existing marker (or null when this call set it). One round trip. */
const claimScript = new LuaScript(`
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`);

/** Deletes the marker only if it is still ours, so a failed first attempt never removes someone else's claim. */
const releaseScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

export type DedupeOutcome = { stored: true } | { stored: false; duplicateOf: string };

export interface DeduperOptions {
  /** How long a duplicate waits for the first request to be stored before answering 503. Default 5000 ms (above the enqueuer's 3 s timeout). */
  waitMs?: number;
  /** Poll interval while the first request is stored by another replica. Default 20 ms. */
  pollMs?: number;
  /** Life of a pending marker, so a replica that died mid-store does not block the key for the whole window. Default 30 s. */
  pendingTtlMs?: number;
}

const pending = 'p:';
const confirmed = 'c:';

/**
 * Atomic check-and-enqueue per dedupe key. The first request sets a pending marker (`p:<deliveryId>`) and stores its
 * delivery; only once Redis confirmed it does the marker become `c:<deliveryId>` for the dedupe window. A duplicate
 * answers 200 only on a confirmed marker, so a 2xx never names a delivery that was not stored; if the first request
 * fails to store, its marker is removed and a retry takes the key over. Key names carry a SHA-256 of the dedupe key,
 * never the key itself.
 */
export class Deduper {
  readonly #waitMs: number;
  readonly #pollMs: number;
  readonly #pendingTtlMs: number;
  /** Claims being stored by this process: local duplicates wait on these instead of polling Redis. */
  readonly #inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    options: DeduperOptions = {},
  ) {
    this.#waitMs = options.waitMs ?? 5_000;
    this.#pollMs = options.pollMs ?? 20;
    this.#pendingTtlMs = options.pendingTtlMs ?? 30_000;
  }

  /** Runs `store` once per (webhook, dedupe key) inside `windowSeconds`; later calls get the first delivery's id. */
  async once(
    webhookId: string,
    dedupeKey: string,
    deliveryId: string,
    windowSeconds: number,
    store: () => Promise<void>,
  ): Promise<DedupeOutcome> {
    const key = this.keys.dedupe(webhookId, createHash('sha256').update(dedupeKey).digest('hex'));
    const marker = `${pending}${deliveryId}`;
    const deadline = Date.now() + this.#waitMs;
    for (;;) {
      const existing = (await claimScript.run(this.redis, [key], [marker, this.#pendingTtlMs])) as string | null;
      if (existing === null) return this.#storeClaimed(key, marker, deliveryId, windowSeconds, store);
      if (existing.startsWith(confirmed)) return { stored: false, duplicateOf: existing.slice(confirmed.length) };
      const settled = await this.#waitWhilePending(key, existing, deadline);
      if (settled === 'timeout') {
        // The first store may have succeeded while its confirmation was lost: its record is the truth.
        const firstId = existing.slice(pending.length);
        const first = await this.#firstStore(firstId);
        if (first === 'stored') return { stored: false, duplicateOf: firstId };
        if (first === 'incomplete') {
          // Its record was stored but its job never was (Redis died between the two): it would never run, so the
          // first store failed after all. Take the key over instead of naming a delivery that cannot run.
          await releaseScript.run(this.redis, [key], [existing]);
          continue;
        }
        throw new DedupeBusyError('the first request with this dedupe key is still being stored');
      }
    }
  }

  async #storeClaimed(
    key: string,
    marker: string,
    deliveryId: string,
    windowSeconds: number,
    store: () => Promise<void>,
  ): Promise<DedupeOutcome> {
    let settle!: () => void;
    this.#inflight.set(key, new Promise<void>((resolve) => (settle = resolve)));
    try {
      try {
        await store();
      } catch (err) {
        await releaseScript.run(this.redis, [key], [marker]).catch(() => undefined); // if this fails too, the pending marker expires
        throw err;
      }
      // Stored: a failed confirmation is not the sender's problem (duplicates fall back to checking the record).
      await this.redis.set(key, `${confirmed}${deliveryId}`, 'PX', windowSeconds * 1000).catch(() => undefined);
      return { stored: true };
    } finally {
      this.#inflight.delete(key);
      settle();
    }
  }

  /**
   * What became of a first store whose marker stayed pending: nothing (`missing`), a record whose job exists or
   * that no longer needs one (`stored`; held deliveries get their job on release), or a `queued` record without
   * its job (`incomplete`).
   */
  async #firstStore(deliveryId: string): Promise<'missing' | 'stored' | 'incomplete'> {
    const [id, status, queue] = await this.redis.hmget(
      this.keys.delivery(deliveryId),
      deliveryField.id,
      deliveryField.status,
      deliveryField.queue,
    );
    if (id === null) return 'missing';
    if (status !== 'queued') return 'stored';
    return (await this.redis.exists(jobKey(this.keys.bullPrefix, queue ?? 'default', deliveryId))) === 1 ? 'stored' : 'incomplete';
  }

  /** Waits until the marker at `key` is no longer `marker` (confirmed, released or expired), or the deadline. */
  async #waitWhilePending(key: string, marker: string, deadline: number): Promise<'changed' | 'timeout'> {
    for (;;) {
      const local = this.#inflight.get(key);
      if (local) await local;
      else await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
      if ((await this.redis.get(key)) !== marker) return 'changed';
      if (Date.now() >= deadline) return 'timeout';
    }
  }
}
