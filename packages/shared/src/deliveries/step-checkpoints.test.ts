import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { createKeys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { stepField } from './delivery-fields.js';
import { DeliveryStore } from './delivery-store.js';
import { StepCheckpoints } from './step-checkpoints.js';
import type { StepRecord } from './types.js';

const prefix = testPrefix('step-checkpoints');
const redis = testRedis();
const keys = createKeys(prefix);
const store = new DeliveryStore(redis, keys);
const checkpoints = new StepCheckpoints(redis, keys);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function created(): Promise<string> {
  const delivery = newDelivery();
  await store.create(delivery);
  return delivery.id;
}

const step = (id: string, status: StepRecord['status'], extra: Partial<StepRecord> = {}): string =>
  JSON.stringify({
    id,
    type: 'http',
    status,
    attempts: 1,
    startedAt: new Date(2_000).toISOString(),
    finishedAt: status === 'running' ? null : new Date(3_000).toISOString(),
    ...extra,
  } satisfies StepRecord);

describe('StepCheckpoints.save', () => {
  it('writes the record in the step field, where the delivery shows it', async () => {
    const id = await created();
    expect(await checkpoints.save(id, 'fetch', step('fetch', 'running'))).toEqual({ outcome: 'saved' });
    expect(await checkpoints.save(id, 'fetch', step('fetch', 'failed', { attempts: 2 }))).toEqual({ outcome: 'saved' });
    expect(await redis.hget(keys.delivery(id), stepField('fetch'))).toBe(step('fetch', 'failed', { attempts: 2 }));
    expect((await store.get(id))?.steps).toEqual([JSON.parse(step('fetch', 'failed', { attempts: 2 }))]);
  });

  it('keeps a finished step finished and returns its stored record instead', async () => {
    const id = await created();
    for (const status of ['succeeded', 'skipped'] as const) {
      const stepId = `s-${status}`;
      const finished = step(stepId, status, { output: { first: true } });
      await checkpoints.save(id, stepId, finished);
      expect(await checkpoints.save(id, stepId, step(stepId, 'running'))).toEqual({ outcome: 'finished', recordJson: finished });
      expect(await checkpoints.save(id, stepId, step(stepId, 'succeeded', { output: { first: false } }))).toEqual({
        outcome: 'finished',
        recordJson: finished,
      });
      expect(await redis.hget(keys.delivery(id), stepField(stepId))).toBe(finished);
    }
  });

  it('refuses a step starting on a cancelled delivery, and still records how the step in hand ended', async () => {
    const id = await created();
    await checkpoints.save(id, 'inflight', step('inflight', 'running'));
    await store.cancel(id, new Date(4_000));
    expect(await checkpoints.save(id, 'next', step('next', 'running'))).toEqual({ outcome: 'cancelled' });
    expect(await redis.hexists(keys.delivery(id), stepField('next'))).toBe(0);
    expect(await checkpoints.save(id, 'inflight', step('inflight', 'succeeded'))).toEqual({ outcome: 'saved' });
    expect(await redis.hget(keys.delivery(id), stepField('inflight'))).toBe(step('inflight', 'succeeded'));
  });

  it('does not bring back a record that is gone', async () => {
    const id = newId('dlv');
    expect(await checkpoints.save(id, 'fetch', step('fetch', 'running'))).toEqual({ outcome: 'saved' });
    expect(await redis.exists(keys.delivery(id))).toBe(0);
  });
});

describe('StepCheckpoints.abandonRunning', () => {
  it('fails every step record still running with the error, and leaves the others and the scalar fields', async () => {
    const id = await created();
    await checkpoints.save(id, 'done', step('done', 'succeeded'));
    await checkpoints.save(id, 'inflight', step('inflight', 'running'));
    await redis.hset(keys.delivery(id), stepField('garbled'), 'not json');
    // Only step fields hold step records: a scalar field that looks like a running one is not one.
    await redis.hset(keys.delivery(id), 'result', JSON.stringify({ status: 'running' }));
    const before = await redis.hgetall(keys.delivery(id));

    expect(await checkpoints.abandonRunning(id, { code: 'timeout', message: 'the run exceeded its timeoutMs' }, new Date(5_000))).toBe(1);
    const after = await redis.hgetall(keys.delivery(id));
    expect(JSON.parse(after[stepField('inflight')]!)).toEqual({
      ...JSON.parse(step('inflight', 'running')),
      status: 'failed',
      finishedAt: new Date(5_000).toISOString(),
      error: { code: 'timeout', message: 'the run exceeded its timeoutMs' },
    });
    const { [stepField('inflight')]: _changed, ...rest } = after;
    const { [stepField('inflight')]: _was, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(await checkpoints.abandonRunning(id, { code: 'timeout', message: 'again' }, new Date(6_000))).toBe(0);
  });
});
