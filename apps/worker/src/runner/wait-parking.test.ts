import { afterAll, describe, expect, it } from 'vitest';
import { Queue, Worker, type Job } from 'bullmq';
import { createKeys, createLogger, deliveryJob, DeliverySignals, DeliveryStore, newId, QueueSet, wakeJob, type WaitingFor } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { parkAtWait } from './wait-parking.js';

const prefix = testPrefix('wait-parking');
const redis = testRedis();
const keys = createKeys(prefix);
const deliveries = new DeliveryStore(redis, keys);
const signals = new DeliverySignals(redis, keys);
const log = createLogger({ name: 'test', level: 'silent' });
const queueName = 'waits';
const queue = new Queue(queueName, { connection: redis, prefix: keys.bullPrefix });
const queues = new QueueSet(redis, keys);
const now = () => new Date();

/** Per delivery: how long its wait lasts, and what happens just before and after it is marked waiting (before the job moves). */
interface Plan {
  timeoutMs: number;
  beforeMark?: (id: string) => Promise<unknown>;
  afterMark?: (id: string) => Promise<unknown>;
}
const plans = new Map<string, Plan>();
/** Per delivery: how each run of its job ended (`parked`, or the step output it finished with). */
const runs = new Map<string, unknown[]>();

/**
 * A worker running a one-step workflow the way the processor does: a finished wait step (its checkpoint written by a
 * signal) ends the delivery; a wait past its deadline times out; otherwise the run parks at the wait.
 */
const worker = new Worker(
  queueName,
  async (job: Job, token?: string) => {
    const deliveryId = (job.data as { deliveryId: string }).deliveryId;
    const plan = plans.get(deliveryId)!;
    const started = (await deliveries.start(deliveryId, job.attemptsMade + 1, now(), token))!;
    const history = runs.get(deliveryId) ?? [];
    runs.set(deliveryId, history);
    if (started.delivery.status === 'cancelled') return history.push('dropped');
    const review = started.delivery.steps.find((s) => s.id === 'review');
    if (review?.status === 'succeeded') {
      history.push(review.output);
      return deliveries.markSucceededJson(deliveryId, JSON.stringify(review.output), now(), { runToken: token! });
    }
    const { expiresAt } = (await signals.deadline(deliveryId, 'approval', plan.timeoutMs, now()))!;
    if (now() >= expiresAt) {
      history.push('timed out');
      return deliveries.markFailed(deliveryId, { code: 'wait_timeout', message: 'no signal' }, now(), { runToken: token! });
    }
    const waitingFor: WaitingFor = { stepId: 'review', signal: 'approval', expiresAt: expiresAt.toISOString() };
    const observed: DeliverySignals = Object.create(signals);
    observed.markWaiting = async (...args) => {
      await plan.beforeMark?.(deliveryId);
      const marked = await signals.markWaiting(...args);
      await plan.afterMark?.(deliveryId);
      return marked;
    };
    history.push('parked');
    return parkAtWait({ redis, signals: observed, deliveries, log, now }, job, token, deliveryId, waitingFor);
  },
  { connection: redis.duplicate(), prefix: keys.bullPrefix, concurrency: 4 },
);
worker.on('error', () => {});

afterAll(async () => {
  await worker.close();
  await queue.close();
  await queues.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

/** What the ingress does with a signal: take it, and promote the parked job when the delivery was waiting for it. */
async function signal(id: string, body: unknown) {
  const receipt = await signals.receive(id, 'approval', JSON.stringify(body), now());
  if (receipt.outcome === 'resumed' && receipt.wake) await wakeJob(redis, deliveryJob(queues.get(receipt.queue), id)).catch(() => undefined);
  return receipt;
}

async function startDelivery(plan: Plan, before?: (id: string) => Promise<unknown>): Promise<string> {
  const id = newId('dlv');
  await deliveries.create({ id, webhookId: 'wh_w', agentId: 'agt_w', workflow: 'w', status: 'queued', receivedAt: now().toISOString(), dedupeKey: null, headers: {}, payloadJson: '{}', replayOf: null, queue: queueName });
  plans.set(id, plan);
  await before?.(id);
  await queue.add('run-delivery', { deliveryId: id }, { jobId: id });
  return id;
}

const status = async (id: string) => (await deliveries.get(id))?.status;
const tenMinutes = 600_000;

describe('parkAtWait', () => {
  it('marks the delivery waiting and parks its job until the deadline; a signal promotes it and the run finishes', async () => {
    const id = await startDelivery({ timeoutMs: tenMinutes });
    await expect.poll(() => queue.getJobState(id)).toBe('delayed');
    expect(await deliveries.get(id)).toMatchObject({ status: 'waiting', waitingFor: { stepId: 'review', signal: 'approval' } });
    // Parked until the wait's deadline, not for a recheck interval.
    const job = await queue.getJob(id);
    expect(job!.timestamp + job!.delay).toBeGreaterThan(Date.now() + tenMinutes / 2);
    expect((await signal(id, { approved: true })).outcome).toBe('resumed');
    await expect.poll(() => status(id)).toBe('succeeded');
    expect(runs.get(id)).toEqual(['parked', { approved: true }]);
  });

  it('does not lose a signal that lands between the mark and the move (its promote finds the job still active)', async () => {
    let promoteWhileActive: unknown = 'not tried';
    const id = await startDelivery({
      timeoutMs: tenMinutes,
      afterMark: async (deliveryId: string) => {
        const receipt = await signals.receive(deliveryId, 'approval', '{"approved":false}', now());
        expect(receipt).toMatchObject({ outcome: 'resumed', wake: true });
        promoteWhileActive = await wakeJob(redis, deliveryJob(queues.get(queueName), deliveryId)).then(
          () => 'promoted',
          () => 'refused',
        );
      },
    });
    // The job looked again after its move and promoted itself: the run finished long before the ten-minute deadline.
    await expect.poll(() => status(id), { timeout: 15_000 }).toBe('succeeded');
    expect(promoteWhileActive).toBe('refused');
    expect(runs.get(id)).toEqual(['parked', { approved: false }]);
  });

  it('goes on at once when the signal came before the mark (kept as an early body), without waiting for the deadline', async () => {
    // The link was rendered and answered while the run was still on its way to the wait.
    const id = await startDelivery({ timeoutMs: tenMinutes }, async (deliveryId) => {
      await signals.deadline(deliveryId, 'approval', tenMinutes, now());
      expect(await signals.receive(deliveryId, 'approval', '"early"', now())).toMatchObject({ outcome: 'resumed', wake: false });
    });
    await expect.poll(() => status(id), { timeout: 15_000 }).toBe('succeeded');
    expect(runs.get(id)).toEqual(['parked', 'early']);
  });

  it('comes back at the deadline without a signal', async () => {
    const id = await startDelivery({ timeoutMs: 300 });
    await expect.poll(() => status(id), { timeout: 15_000 }).toBe('failed');
    expect(runs.get(id)).toEqual(['parked', 'timed out']);
  });

  it('parks nothing for a delivery cancelled while its run was stopping, and applies retention to it', async () => {
    const id = await startDelivery({ timeoutMs: tenMinutes, beforeMark: (deliveryId) => deliveries.cancel(deliveryId, now()) });
    await expect.poll(() => queue.getJobState(id), { timeout: 15_000 }).toBe('completed');
    expect(await deliveries.get(id)).toMatchObject({ status: 'cancelled', waitingFor: null });
    expect(runs.get(id)).toEqual(['parked']);
    expect(await redis.ttl(keys.delivery(id))).toBeGreaterThan(0);
  });
});
