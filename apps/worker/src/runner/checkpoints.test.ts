import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, DeliveryStore, stepField, type StepRecord } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { WorkflowError } from '../errors/workflow-error.js';
import { Checkpoints } from './checkpoints.js';

const prefix = testPrefix('checkpoints');
const keys = createKeys(prefix);
const redis = testRedis();
const deliveries = new DeliveryStore(redis, keys);
const maxRecordBytes = 2_000;
const checkpoints = new Checkpoints(redis, keys, maxRecordBytes);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function created(): Promise<string> {
  const delivery = newDelivery();
  await deliveries.create(delivery);
  return delivery.id;
}

const record = (id: string, status: StepRecord['status'], output?: unknown): string =>
  JSON.stringify({
    id,
    type: 'transform',
    status,
    attempts: 1,
    startedAt: new Date(2_000).toISOString(),
    finishedAt: status === 'running' ? null : new Date(3_000).toISOString(),
    ...(output === undefined ? {} : { output }),
  } satisfies StepRecord);

describe('Checkpoints.save', () => {
  it('returns null when it wrote the record, and the stored record once the step finished', async () => {
    const id = await created();
    expect(await checkpoints.save(id, 'calc', record('calc', 'running'))).toBeNull();
    expect(await checkpoints.save(id, 'calc', record('calc', 'succeeded', 42))).toBeNull();
    expect(await checkpoints.save(id, 'calc', record('calc', 'running'))).toBe(record('calc', 'succeeded', 42));
    expect((await deliveries.get(id))?.steps).toEqual([JSON.parse(record('calc', 'succeeded', 42))]);
  });

  it('refuses a record over the output cap with output_too_large, writing nothing', async () => {
    const id = await created();
    const big = record('big', 'succeeded', 'x'.repeat(maxRecordBytes));
    await expect(checkpoints.save(id, 'big', big)).rejects.toMatchObject({ code: 'output_too_large', retryable: false });
    expect(await redis.hexists(keys.delivery(id), stepField('big'))).toBe(0);
  });

  it('fails a step starting on a cancelled delivery with the final cancelled error', async () => {
    const id = await created();
    await deliveries.cancel(id, new Date(4_000));
    const refused = checkpoints.save(id, 'next', record('next', 'running'));
    await expect(refused).rejects.toBeInstanceOf(WorkflowError);
    await expect(refused).rejects.toMatchObject({ code: 'cancelled', retryable: false });
  });
});

describe('Checkpoints.abandonRunning', () => {
  it('records the step a stopped run was in as failed with the run error', async () => {
    const id = await created();
    await checkpoints.save(id, 'calc', record('calc', 'running'));
    expect(await checkpoints.abandonRunning(id, { code: 'run_memory_exceeded', message: 'over the cap' }, new Date(5_000))).toBe(1);
    expect((await deliveries.get(id))?.steps).toEqual([
      {
        ...JSON.parse(record('calc', 'running')),
        status: 'failed',
        finishedAt: new Date(5_000).toISOString(),
        error: { code: 'run_memory_exceeded', message: 'over the cap' },
      },
    ]);
  });
});
