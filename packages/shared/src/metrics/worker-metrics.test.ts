import { describe, expect, it } from 'vitest';
import { createWorkerMetrics } from './worker-metrics.js';

describe('worker metrics', () => {
  it('reads queue depth at scrape time, one sample per queue and state', async () => {
    let wait = 3;
    const metrics = createWorkerMetrics(async () => [{ queue: 'default', counts: { wait, active: 1 } }]);
    expect(await metrics.registry.metrics()).toMatch(/^hookflow_queue_depth\{queue="default",state="wait"\} 3$/m);
    wait = 7;
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^hookflow_queue_depth\{queue="default",state="wait"\} 7$/m);
    expect(text).toMatch(/^hookflow_queue_depth\{queue="default",state="active"\} 1$/m);
  });

  it('still answers a scrape when the queue depth cannot be read (Redis away or failing)', async () => {
    const hanging = createWorkerMetrics(() => new Promise(() => {}), 20);
    const text = await hanging.registry.metrics();
    expect(text).toContain('# TYPE hookflow_worker_deliveries_total counter');
    expect(text).not.toMatch(/^hookflow_queue_depth\{/m);
    const failing = createWorkerMetrics(() => Promise.reject(new Error('Connection is closed')));
    expect(await failing.registry.metrics()).not.toMatch(/^hookflow_queue_depth\{/m);
  });
});
