import { afterAll, describe, expect, it } from 'vitest';
import { Queue, Worker, type Job } from 'bullmq';
import { createKeys, createLogger, DeliveryStore, newId } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { recordStallFailure, stallLimitReason, sweepStallFailures } from './quarantine.js';

const prefix = testPrefix('quarantine');
const keys = createKeys(prefix);
const redis = testRedis();
const workerRedis = testRedis();
const deliveries = new DeliveryStore(redis, keys);
const log = createLogger({ name: 'quarantine-test', level: 'silent' });
const queueName = 'quarantine';
const queue = new Queue(queueName, { connection: redis, prefix: keys.bullPrefix });

afterAll(async () => {
  await queue.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
  workerRedis.disconnect();
});

/** A delivery left `running` by a dead worker, whose job BullMQ will fail for its stalls (what its stall check leaves). */
async function strandedDelivery(): Promise<string> {
  const id = newId('dlv');
  await deliveries.create({
    id,
    webhookId: 'wh_q',
    agentId: 'agt_q',
    workflow: 'echo',
    status: 'queued',
    receivedAt: new Date().toISOString(),
    dedupeKey: null,
    headers: {},
    payloadJson: '{}',
    replayOf: null,
    queue: queueName,
  });
  await deliveries.start(id, 1, new Date());
  await queue.add('run-delivery', { deliveryId: id }, { jobId: id, delay: 200 });
  await redis.hset(`${keys.bullPrefix}:${queueName}:${id}`, 'stc', '3', 'defa', stallLimitReason);
  return id;
}

/** Lets a real BullMQ worker take the jobs: it fails each for its deferred stall failure without running the processor. */
async function failByBullMq(ids: string[], onFailed?: (job: Job | undefined, err: Error) => Promise<void>): Promise<number> {
  let ran = 0;
  const settled: Promise<void>[] = [];
  const worker = new Worker(queueName, async () => void (ran += 1), {
    connection: workerRedis,
    prefix: keys.bullPrefix,
    maxStalledCount: 2,
  });
  worker.on('error', () => {});
  if (onFailed) worker.on('failed', (job, err) => void settled.push(onFailed(job, err)));
  try {
    await expect
      .poll(async () => (await Promise.all(ids.map((id) => queue.getJobState(id)))).every((s) => s === 'failed'), { timeout: 10_000 })
      .toBe(true);
    await Promise.all(settled);
  } finally {
    await worker.close();
  }
  return ran;
}

describe('quarantine backstops', () => {
  it("records worker_crashed from the worker's failed event when BullMQ fails a job for its stalls", async () => {
    const id = await strandedDelivery();
    const ran = await failByBullMq([id], (job, err) => recordStallFailure(deliveries, job, err, new Date(), log));
    expect(ran).toBe(0);
    expect((await queue.getJob(id))?.failedReason).toBe(stallLimitReason);
    expect(await deliveries.get(id)).toMatchObject({ status: 'failed', error: { code: 'worker_crashed' } });
  });

  it('at start-up, fixes a record left running whose job BullMQ failed for its stalls, and leaves others alone', async () => {
    const [stranded, finished] = [await strandedDelivery(), await strandedDelivery()];
    expect(await failByBullMq([stranded, finished])).toBe(0);
    // One was recorded meanwhile (it succeeded just before its worker died): quarantine must not overwrite it.
    await deliveries.markSucceededJson(finished, '"done"', new Date());
    expect((await deliveries.get(stranded))?.status).toBe('running');

    await sweepStallFailures(queue, deliveries, new Date(), log);
    expect(await deliveries.get(stranded)).toMatchObject({ status: 'failed', error: { code: 'worker_crashed' } });
    expect(await deliveries.get(finished)).toMatchObject({ status: 'succeeded', result: 'done' });
  });
});
