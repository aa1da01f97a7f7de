import { describe, expect, it } from 'vitest';
import { ConfigError } from '@hookflow/shared';
import { loadConfig } from '../config.js';

const base = { HOOKFLOW_ADMIN_TOKEN: 'a'.repeat(24), HOOKFLOW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('ingress config: durability and Redis topology', () => {
  it('defaults to ack on a standalone Redis', () => {
    const config = loadConfig(base);
    expect(config.durability).toEqual({ mode: 'ack', minReplicas: 1, waitTimeoutMs: 500 });
    expect(config.redisCluster).toBe(false);
  });

  it('reads fsync and replicated with their replica count and timeout', () => {
    expect(loadConfig({ ...base, HOOKFLOW_DURABILITY: 'fsync' }).durability.mode).toBe('fsync');
    expect(
      loadConfig({ ...base, HOOKFLOW_DURABILITY: 'replicated', HOOKFLOW_MIN_REPLICAS: '2', HOOKFLOW_WAIT_TIMEOUT_MS: '1500' }).durability,
    ).toEqual({
      mode: 'replicated',
      minReplicas: 2,
      waitTimeoutMs: 1500,
    });
  });

  it('names the variable of a bad durability setting', () => {
    expect(configError({ HOOKFLOW_DURABILITY: 'always' })).toContain(
      'HOOKFLOW_DURABILITY: must be ack, fsync or replicated (got "always")',
    );
    expect(configError({ HOOKFLOW_MIN_REPLICAS: '0' })).toContain('HOOKFLOW_MIN_REPLICAS: must be at least 1');
  });

  it('takes comma-separated seed nodes only with HOOKFLOW_REDIS_CLUSTER=1', () => {
    const seeds = 'redis://10.0.0.1:7000,redis://10.0.0.2:7000';
    expect(loadConfig({ ...base, REDIS_URL: seeds, HOOKFLOW_REDIS_CLUSTER: '1' })).toMatchObject({ redisUrl: seeds, redisCluster: true });
    expect(configError({ REDIS_URL: seeds })).toContain('REDIS_URL: holds several URLs; set HOOKFLOW_REDIS_CLUSTER=1');
    expect(configError({ REDIS_URL: 'redis://10.0.0.1:7000,http://x', HOOKFLOW_REDIS_CLUSTER: 'true' })).toContain(
      'REDIS_URL: must be redis:// or rediss:// URLs',
    );
    expect(configError({ HOOKFLOW_REDIS_CLUSTER: 'maybe' })).toContain('HOOKFLOW_REDIS_CLUSTER: must be 1 or 0');
  });
});
