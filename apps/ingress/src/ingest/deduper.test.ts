import { afterAll, describe, expect, it } from 'vitest';
import { createKeys } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { Deduper } from './deduper.js';
import { DedupeBusyError } from './dedupe-busy-error.js';

const prefix = testPrefix('deduper');
const keys = createKeys(prefix);
const redis = testRedis();

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  // A failed gate nobody awaited yet must not count as an unhandled rejection; whoever awaits it still sees it fail.
  promise.catch(() => {});
  return { promise, open, fail };
}

describe('Deduper (real Redis)', () => {
  it('stores once among concurrent calls in two "replicas"; every duplicate names the first id, only after it is confirmed', async () => {
    const otherConnection = testRedis();
    const replicas = [new Deduper(redis, keys), new Deduper(otherConnection, keys)];
    const firstStore = gate();
    let stores = 0;
    let confirmed = false;
    const store = async () => {
      stores++;
      await firstStore.promise;
      confirmed = true;
    };
    const answeredBeforeConfirm: boolean[] = [];
    const calls = Array.from({ length: 10 }, (_, i) =>
      replicas[i % 2]!.once('wh_a', 'evt-1', `dlv_${i}`, 60, store).then((outcome) => {
        answeredBeforeConfirm.push(!confirmed);
        return outcome;
      }),
    );
    // Let every call reach Redis and start waiting before the first store is confirmed.
    while (stores === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));
    expect(answeredBeforeConfirm).toEqual([]);
    firstStore.open();
    const outcomes = await Promise.all(calls);
    expect(stores).toBe(1);
    const storedIndex = outcomes.findIndex((o) => o.stored);
    expect(outcomes.filter((o) => o.stored)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.stored)).toEqual(Array(9).fill({ stored: false, duplicateOf: `dlv_${storedIndex}` }));
    expect(answeredBeforeConfirm.every((early) => !early)).toBe(true);
    otherConnection.disconnect();
  });

  it('lets a retry take over when the first store fails, and never names the failed id', async () => {
    const deduper = new Deduper(redis, keys);
    const failing = gate();
    let firstStoreStarted = false;
    const first = deduper.once('wh_b', 'evt-2', 'dlv_failed', 60, () => {
      firstStoreStarted = true;
      return failing.promise;
    });
    // The retry must come while the first store is in flight: waiting for that, not for a fixed time, holds on a slow Redis.
    while (!firstStoreStarted) await new Promise((r) => setTimeout(r, 5));
    const second = deduper.once('wh_b', 'evt-2', 'dlv_retry', 60, async () => {});
    failing.fail(new Error('Redis refused'));
    await expect(first).rejects.toThrow('Redis refused');
    expect(await second).toEqual({ stored: true });
    expect(await deduper.once('wh_b', 'evt-2', 'dlv_third', 60, async () => {})).toEqual({ stored: false, duplicateOf: 'dlv_retry' });
  });

  it('keeps keys apart per webhook, and stores the key hashed, with the window as its TTL', async () => {
    const deduper = new Deduper(redis, keys);
    expect(await deduper.once('wh_c', 'secret-looking-key-123', 'dlv_c', 120, async () => {})).toEqual({ stored: true });
    expect(await deduper.once('wh_d', 'secret-looking-key-123', 'dlv_d', 120, async () => {})).toEqual({ stored: true });
    const names = await redis.keys(`{${prefix}}:dedupe:wh_c:*`);
    expect(names).toHaveLength(1);
    expect(names[0]).not.toContain('secret-looking-key-123');
    expect(names[0]).toMatch(/:[0-9a-f]{64}$/);
    const ttl = await redis.pttl(names[0]!);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('answers a duplicate from the stored record when the confirmation was lost, and 503s (DedupeBusyError) when nothing was stored', async () => {
    const deduper = new Deduper(redis, keys, { waitMs: 100, pollMs: 10 });
    const hashKey = async (webhookId: string) => (await redis.keys(`{${prefix}}:dedupe:${webhookId}:*`))[0]!;
    // A replica that stored dlv_lost but died before confirming: its pending marker remains.
    await deduper.once('wh_e', 'k', 'dlv_lost', 60, async () => {});
    await redis.set(await hashKey('wh_e'), 'p:dlv_lost', 'PX', 30_000);
    await redis.hset(keys.delivery('dlv_lost'), 'id', 'dlv_lost');
    expect(await deduper.once('wh_e', 'k', 'dlv_new', 60, async () => {})).toEqual({ stored: false, duplicateOf: 'dlv_lost' });
    // A pending marker whose delivery never got stored: no 2xx.
    await deduper.once('wh_f', 'k', 'dlv_tmp', 60, async () => {});
    await redis.set(await hashKey('wh_f'), 'p:dlv_never', 'PX', 30_000);
    await expect(deduper.once('wh_f', 'k', 'dlv_new', 60, async () => {})).rejects.toBeInstanceOf(DedupeBusyError);
  });

  it('takes the key over when the first store left a queued record without its job (Redis died between them)', async () => {
    const deduper = new Deduper(redis, keys, { waitMs: 100, pollMs: 10 });
    await deduper.once('wh_g', 'k', 'dlv_tmp', 60, async () => {});
    const hashKey = (await redis.keys(`{${prefix}}:dedupe:wh_g:*`))[0]!;
    await redis.set(hashKey, 'p:dlv_orphan', 'PX', 30_000);
    await redis.hset(keys.delivery('dlv_orphan'), { id: 'dlv_orphan', status: 'queued', queue: 'default' });
    let stored = 0;
    expect(await deduper.once('wh_g', 'k', 'dlv_retry', 60, async () => void stored++)).toEqual({ stored: true });
    expect(stored).toBe(1);
    expect(await redis.get(hashKey)).toBe('c:dlv_retry');
    // With its job present the same record is a real first delivery: the retry is its duplicate.
    await redis.set(hashKey, 'p:dlv_whole', 'PX', 30_000);
    await redis.hset(keys.delivery('dlv_whole'), { id: 'dlv_whole', status: 'queued', queue: 'default' });
    await redis.hset(`${keys.bullPrefix}:default:dlv_whole`, 'name', 'run-delivery');
    expect(await deduper.once('wh_g', 'k', 'dlv_again', 60, async () => {})).toEqual({ stored: false, duplicateOf: 'dlv_whole' });
  });
});
