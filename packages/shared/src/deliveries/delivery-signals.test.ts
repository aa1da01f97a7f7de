import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { createKeys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { DeliveryRetention } from './delivery-retention.js';
import { DeliverySignals } from './delivery-signals.js';
import { DeliveryStore } from './delivery-store.js';
import type { NewDelivery, WaitingFor } from './types.js';
import { stepField } from './delivery-fields.js';
import { newDelivery } from '../../../../test/support/new-delivery.js';

const prefix = testPrefix('delivery-signals');
const redis = testRedis();
const keys = createKeys(prefix);
const store = new DeliveryStore(redis, keys);
const signals = new DeliverySignals(redis, keys);

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

const t0 = new Date(Date.UTC(2026, 10, 28, 8, 0, 0));
const at = (ms: number) => new Date(t0.getTime() + ms);

function reviewDelivery(): NewDelivery {
  return newDelivery({ agentId: 'agt_s', workflow: 'w', receivedAt: t0.toISOString(), queue: 'reviews' });
}

/**
 * A delivery whose run (holding lock `token`) reached wait step `review` for signal `approval` and was marked waiting
 * there, as the worker does: its deadline fixed, the step's `running` checkpoint written, then `markWaiting`.
 */
async function waitingDelivery(token = 'lock-1'): Promise<{ id: string; waitingFor: WaitingFor }> {
  const d = reviewDelivery();
  await store.create(d);
  await store.start(d.id, 1, at(0), token);
  const { expiresAt } = (await signals.deadline(d.id, 'approval', 60_000, at(0)))!;
  await redis.hset(
    keys.delivery(d.id),
    stepField('review'),
    JSON.stringify({ id: 'review', type: 'wait', status: 'running', attempts: 2, startedAt: at(5).toISOString(), finishedAt: null }),
  );
  const waitingFor = { stepId: 'review', signal: 'approval', expiresAt: expiresAt.toISOString() };
  expect(await signals.markWaiting(d.id, waitingFor, at(10), token)).toBe('waiting');
  return { id: d.id, waitingFor };
}

describe('DeliverySignals.deadline', () => {
  it('is fixed by the first call and the same for every later one, whatever its timeout', async () => {
    const d = reviewDelivery();
    await store.create(d);
    expect(await signals.deadline(d.id, 'approval', 60_000, at(0))).toEqual({ expiresAt: at(60_000), earlyBodyJson: null });
    expect(await signals.deadline(d.id, 'approval', 5_000, at(30_000))).toEqual({ expiresAt: at(60_000), earlyBodyJson: null });
    // Each signal name has its own.
    expect((await signals.deadline(d.id, 'second', 1_000, at(30_000)))!.expiresAt).toEqual(at(31_000));
  });

  it('is null for a record that is gone, and creates nothing there', async () => {
    const id = newId('dlv');
    expect(await signals.deadline(id, 'approval', 1_000, at(0))).toBeNull();
    expect(await redis.exists(keys.delivery(id))).toBe(0);
  });
});

describe('DeliverySignals.markWaiting', () => {
  it('marks the run holding the delivery waiting, with waitingFor shown until it starts again', async () => {
    const { id, waitingFor } = await waitingDelivery();
    expect(await store.get(id)).toMatchObject({ status: 'waiting', waitingFor });
    const started = await store.start(id, 1, at(70_000), 'lock-2');
    expect(started!.delivery).toMatchObject({ status: 'running', waitingFor: null });
  });

  it('is fenced by the run token, and leaves an ended delivery as it is', async () => {
    const d = reviewDelivery();
    await store.create(d);
    await store.start(d.id, 1, at(0), 'current');
    const waitingFor = { stepId: 'review', signal: 'approval', expiresAt: at(60_000).toISOString() };
    expect(await signals.markWaiting(d.id, waitingFor, at(1), 'lapsed')).toBe('not_held');
    expect((await store.get(d.id))!.status).toBe('running');
    await store.cancel(d.id, at(2));
    expect(await signals.markWaiting(d.id, waitingFor, at(3), 'current')).toBe('ended');
    expect(await store.get(d.id)).toMatchObject({ status: 'cancelled', waitingFor: null });
    expect(await signals.markWaiting(newId('dlv'), waitingFor, at(3), 'current')).toBe('gone');
  });
});

describe('DeliverySignals.receive', () => {
  it('resumes a delivery waiting for that signal: the body becomes the succeeded step, exactly, and it is queued again', async () => {
    const { id } = await waitingDelivery();
    const body = '{"approved":true,"big":12345678901234567890,"small":1e-7,"empty":[],"obj":{},"text":"a/b \\"q\\" é"}';
    expect(await signals.receive(id, 'approval', body, at(20))).toEqual({ outcome: 'resumed', queue: 'reviews', wake: true });
    const delivery = (await store.get(id))!;
    expect(delivery).toMatchObject({ status: 'queued', waitingFor: null });
    expect(delivery.steps).toEqual([
      {
        id: 'review',
        type: 'wait',
        status: 'succeeded',
        attempts: 2,
        startedAt: at(5).toISOString(),
        finishedAt: at(20).toISOString(),
        output: JSON.parse(body),
      },
    ]);
    // Stored as the text received, so what JSON.parse makes of it on any reader is what the sender sent.
    expect(JSON.parse((await redis.hget(keys.delivery(id), stepField('review')))!).output).toEqual(JSON.parse(body));
    expect(await redis.hget(keys.delivery(id), stepField('review'))).toContain('"big":12345678901234567890');
  });

  it('takes one signal only: the second is already_received, also once the delivery finished', async () => {
    const { id } = await waitingDelivery();
    expect((await signals.receive(id, 'approval', '{"approved":true}', at(20))).outcome).toBe('resumed');
    expect(await signals.receive(id, 'approval', '{"approved":false}', at(21))).toEqual({ outcome: 'already_received' });
    expect((await store.get(id))!.steps[0]!.output).toEqual({ approved: true });
    await store.markSucceededJson(id, 'null', at(30));
    expect(await signals.receive(id, 'approval', '{"approved":false}', at(40))).toEqual({ outcome: 'already_received' });
  });

  it('lets exactly one of many concurrent signals win', async () => {
    const { id } = await waitingDelivery();
    const contenders = Array.from({ length: 20 }, () => redis.duplicate());
    try {
      const receipts = await Promise.all(
        contenders.map((connection, i) => new DeliverySignals(connection, keys).receive(id, 'approval', JSON.stringify({ n: i }), at(20))),
      );
      const won = receipts.flatMap((r, i) => (r.outcome === 'resumed' ? [i] : []));
      expect(won).toHaveLength(1);
      expect(receipts.filter((r) => r.outcome === 'already_received')).toHaveLength(19);
      expect((await store.get(id))!.steps[0]!.output).toEqual({ n: won[0] });
    } finally {
      for (const connection of contenders) connection.disconnect();
    }
  });

  it('is signal_not_found for a signal no wait began on, a wait that is over, a cancelled delivery, a record that is gone', async () => {
    const { id, waitingFor } = await waitingDelivery();
    expect(await signals.receive(id, 'other', '{}', at(20))).toEqual({ outcome: 'not_found' });
    const deadline = Date.parse(waitingFor.expiresAt) - t0.getTime();
    expect(await signals.receive(id, 'approval', '{}', at(deadline))).toEqual({ outcome: 'not_found' });
    expect((await store.get(id))!.status).toBe('waiting');

    const cancelled = await waitingDelivery();
    await store.cancel(cancelled.id, at(30));
    expect(await signals.receive(cancelled.id, 'approval', '{}', at(31))).toEqual({ outcome: 'not_found' });
    expect((await store.get(cancelled.id))!.status).toBe('cancelled');

    expect(await signals.receive(newId('dlv'), 'approval', '{}', at(0))).toEqual({ outcome: 'not_found' });
  });

  it('keeps a signal that comes before the run parked: the wait step starts with it, or parking finishes the step', async () => {
    // The link was rendered (deadline fixed), and the receiver answered while the run was still before its wait step.
    const d = reviewDelivery();
    await store.create(d);
    await store.start(d.id, 1, at(0), 'lock');
    await signals.deadline(d.id, 'approval', 60_000, at(0));
    expect(await signals.receive(d.id, 'approval', '{"approved":false}', at(1))).toEqual({
      outcome: 'resumed',
      queue: 'reviews',
      wake: false,
    });
    expect((await store.get(d.id))!.status).toBe('running');
    expect(await signals.deadline(d.id, 'approval', 60_000, at(2))).toEqual({ expiresAt: at(60_000), earlyBodyJson: '{"approved":false}' });
    expect(await signals.receive(d.id, 'approval', '{"approved":true}', at(3))).toEqual({ outcome: 'already_received' });

    // Came between the wait step looking and the run being marked waiting: marking finishes the step instead.
    const waitingFor = { stepId: 'review', signal: 'approval', expiresAt: at(60_000).toISOString() };
    expect(await signals.markWaiting(d.id, waitingFor, at(4), 'lock')).toBe('signalled');
    const delivery = (await store.get(d.id))!;
    expect(delivery).toMatchObject({ status: 'queued', waitingFor: null });
    expect(delivery.steps).toEqual([
      {
        id: 'review',
        type: 'wait',
        status: 'succeeded',
        attempts: 1,
        startedAt: at(4).toISOString(),
        finishedAt: at(4).toISOString(),
        output: { approved: false },
      },
    ]);
  });
});

describe('a waiting delivery and retention', () => {
  it('keeps its record without a TTL and in its webhook index, however far over the count the index is', async () => {
    const { id } = await waitingDelivery();
    const webhookId = (await store.get(id))!.webhookId;
    const retention = new DeliveryRetention(redis, keys, { maxCount: 1, maxAgeSeconds: 60 });
    // A newer delivery of the same webhook finishes: retention works through the index, past the count of 1.
    const later: NewDelivery = { ...reviewDelivery(), webhookId, receivedAt: at(100).toISOString() };
    await store.create(later);
    await retention.finish(later.id, { status: 'succeeded', result: 'null', finishedAt: at(200).toISOString() });
    expect(await retention.settle(id)).toMatchObject({ status: 'waiting' });
    expect(await redis.ttl(keys.delivery(id))).toBe(-1);
    expect(await redis.zscore(keys.webhookDeliveries(webhookId), id)).not.toBeNull();
  });
});
