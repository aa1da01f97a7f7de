import { describe, expect, it } from 'vitest';
import { createIngressMetrics, problem } from '@hookflow/shared';
import { countIngestOutcome } from './count-ingest-outcome.js';

async function value(
  metric: { get(): Promise<{ values: Array<{ labels: Record<string, string | number>; value: number }> }> },
  labels: Record<string, string>,
) {
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('countIngestOutcome', () => {
  it('counts each outcome under its status, and the special ones in their own counters', async () => {
    const metrics = createIngressMetrics();
    countIngestOutcome(metrics, 'uptiq', { outcome: 'accepted', deliveryId: 'dlv_1', status: 'queued' });
    countIngestOutcome(metrics, 'uptiq', { outcome: 'accepted', deliveryId: 'dlv_2', status: 'held' });
    countIngestOutcome(metrics, 'github', { outcome: 'duplicate', deliveryId: 'dlv_1' });
    countIngestOutcome(metrics, 'stripe', { outcome: 'rejected', problem: problem('timestamp_invalid', 'too old') });
    countIngestOutcome(metrics, 'uptiq', { outcome: 'rejected', problem: problem('rate_limited', 'slow down'), retryAfterSeconds: 3 });
    countIngestOutcome(metrics, 'uptiq', { outcome: 'rejected', problem: problem('payload_too_large', 'big') });
    countIngestOutcome(metrics, 'unknown', { outcome: 'aborted' });

    expect(await value(metrics.requests, { scheme: 'uptiq', status: '202' })).toBe(2);
    expect(await value(metrics.requests, { scheme: 'github', status: '200' })).toBe(1);
    expect(await value(metrics.duplicates, { scheme: 'github' })).toBe(1);
    expect(await value(metrics.requests, { scheme: 'stripe', status: '401' })).toBe(1);
    expect(await value(metrics.verificationFailures, { scheme: 'stripe', code: 'timestamp_invalid' })).toBe(1);
    expect(await value(metrics.requests, { scheme: 'uptiq', status: '429' })).toBe(1);
    expect(await value(metrics.rateLimited, { scheme: 'uptiq' })).toBe(1);
    expect(await value(metrics.requests, { scheme: 'uptiq', status: '413' })).toBe(1);
    expect(await value(metrics.verificationFailures, {})).toBe(1);
    expect(await value(metrics.requests, { scheme: 'unknown', status: 'aborted' })).toBe(1);
  });
});
