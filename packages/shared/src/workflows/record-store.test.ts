import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';
import { createKeys } from '../redis/keys.js';
import { DeliveryStore } from '../deliveries/delivery-store.js';
import { StepCheckpoints } from '../deliveries/step-checkpoints.js';
import { RecordStore, type CheckpointedWrite } from './record-store.js';

const prefix = testPrefix('record-store');
const redis = testRedis();
const keys = createKeys(prefix);
const deliveries = new DeliveryStore(redis, keys);
const records = new RecordStore(redis, keys, () => new Date(5_000));

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function created(): Promise<string> {
  const delivery = newDelivery({ agentId: 'agt_r' });
  await deliveries.create(delivery);
  return delivery.id;
}

/** A `store` step that adds one to `count`, checkpointed as succeeded with the record it wrote. */
function increment(deliveryId: string, stepId: string, key: string): CheckpointedWrite {
  return {
    agentId: 'agt_r',
    collection: 'counters',
    key,
    apply: (current) => ({ count: Number(current?.count ?? 0) + 1 }),
    deliveryId,
    stepId,
    checkpoint: (record) =>
      JSON.stringify({
        id: stepId,
        type: 'store',
        status: 'succeeded',
        attempts: 1,
        startedAt: null,
        finishedAt: record.updatedAt,
        output: record,
      }),
  };
}

describe('RecordStore.writeCheckpointed', () => {
  it('commits the record and the step checkpoint together, the checkpoint in the step of the delivery record', async () => {
    const id = await created();
    const key = `k-${randomUUID()}`;
    const written = await records.writeCheckpointed(increment(id, 'count', key));
    expect(written).toMatchObject({ outcome: 'written', record: { collection: 'counters', key, value: { count: 1 } } });
    expect((await records.get('agt_r', 'counters', key))?.value).toEqual({ count: 1 });
    expect((await deliveries.get(id))?.steps).toEqual([
      expect.objectContaining({ id: 'count', status: 'succeeded', output: expect.objectContaining({ value: { count: 1 } }) }),
    ]);
  });

  it('applies a step once: a step already checkpointed as succeeded returns its checkpoint and writes nothing', async () => {
    const id = await created();
    const key = `k-${randomUUID()}`;
    const first = await records.writeCheckpointed(increment(id, 'count', key));
    const again = await records.writeCheckpointed(increment(id, 'count', key));
    expect(again.outcome).toBe('already-done');
    expect(again.outcome === 'already-done' && JSON.parse(again.checkpoint)).toMatchObject({
      id: 'count',
      status: 'succeeded',
      output: first.outcome === 'written' ? first.record : null,
    });
    expect((await records.get('agt_r', 'counters', key))?.value).toEqual({ count: 1 });
    // Another step of the same delivery is its own checkpoint, and applies.
    expect(await records.writeCheckpointed(increment(id, 'count-again', key))).toMatchObject({
      outcome: 'written',
      record: { value: { count: 2 } },
    });
  });

  it('sees the checkpoint the worker saved for the step (one layout for both writers)', async () => {
    const id = await created();
    const key = `k-${randomUUID()}`;
    const saved = JSON.stringify({
      id: 'count',
      type: 'store',
      status: 'succeeded',
      attempts: 1,
      startedAt: null,
      finishedAt: null,
      output: { from: 'earlier run' },
    });
    await new StepCheckpoints(redis, keys).save(id, 'count', saved);
    expect(await records.writeCheckpointed(increment(id, 'count', key))).toEqual({ outcome: 'already-done', checkpoint: saved });
    expect(await records.get('agt_r', 'counters', key)).toBeNull();
  });
});
