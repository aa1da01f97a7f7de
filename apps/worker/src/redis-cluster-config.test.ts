import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('worker config: Redis topology and stall recovery', () => {
  it('connects to a standalone Redis by default, with quick stall recovery', () => {
    expect(loadConfig({})).toMatchObject({ redisCluster: false, lockDurationMs: 10_000, stalledIntervalMs: 5_000 });
  });

  it('takes Redis Cluster seed nodes with HOOKFLOW_REDIS_CLUSTER=1', () => {
    expect(loadConfig({ HOOKFLOW_REDIS_CLUSTER: '1', REDIS_URL: 'redis://a:7000,redis://b:7000' })).toMatchObject({
      redisCluster: true,
      redisUrl: 'redis://a:7000,redis://b:7000',
    });
    expect(() => loadConfig({ REDIS_URL: 'redis://a:7000,redis://b:7000' })).toThrow(/REDIS_URL: holds several URLs/);
  });
});
