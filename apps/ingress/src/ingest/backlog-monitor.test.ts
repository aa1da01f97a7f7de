import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, QueueSet } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { BacklogMonitor } from './backlog-monitor.js';

const prefix = testPrefix('backlog');
const redis = testRedis();
const queues = new QueueSet(redis, createKeys(prefix));

afterAll(async () => {
  await queues.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

describe('BacklogMonitor (real Redis, BullMQ)', () => {
  it('reports a queue full from its refreshed waiting count, not per call', async () => {
    const monitor = new BacklogMonitor(queues, { maxBacklog: 3, refreshMs: 60_000 });
    monitor.start(['default']);
    await monitor.refresh();
    expect(monitor.isFull('default')).toBe(false);
    await queues.get('default').addBulk(Array.from({ length: 3 }, (_, i) => ({ name: 'run-delivery', data: { deliveryId: `dlv_${i}` } })));
    // Still the cached count until the next refresh.
    expect(monitor.isFull('default')).toBe(false);
    await monitor.refresh();
    expect(monitor.isFull('default')).toBe(true);
    expect(monitor.retryAfterSeconds).toBe(5);
    monitor.stop();
  });

  it('starts watching a queue the first time it is asked about', async () => {
    const monitor = new BacklogMonitor(queues, { maxBacklog: 1, refreshMs: 60_000 });
    expect(monitor.isFull('bulk')).toBe(false);
    await queues.get('bulk').add('run-delivery', { deliveryId: 'dlv_b' });
    await monitor.refresh();
    expect(monitor.isFull('bulk')).toBe(true);
  });

  it('never reports full when turned off (0)', async () => {
    const monitor = new BacklogMonitor(queues, { maxBacklog: 0 });
    monitor.start();
    await monitor.refresh();
    expect(monitor.isFull('default')).toBe(false);
    monitor.stop();
  });
});
