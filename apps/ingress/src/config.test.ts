import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@hookflow/shared';
import { loadConfig } from './config.js';

const valid = { HOOKFLOW_ADMIN_TOKEN: 'a'.repeat(32), HOOKFLOW_MASTER_KEY: randomBytes(32).toString('base64') };

function message(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('ingress loadConfig', () => {
  it('applies the defaults of API.md', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      port: 8080,
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'hookflow',
      publicUrl: 'http://localhost:8080',
      logLevel: 'info',
    });
    expect(loadConfig({ ...valid, PORT: '9000' }).publicUrl).toBe('http://localhost:9000');
    expect(loadConfig({ ...valid, HOOKFLOW_PUBLIC_URL: 'https://hooks.example.com/' }).publicUrl).toBe('https://hooks.example.com');
  });

  it('bounds the edge by default and names a bad edge limit', () => {
    expect(loadConfig(valid)).toMatchObject({
      canonicalMaxBytes: 65_536,
      requestTimeoutMs: 30_000,
      maxConnections: 10_000,
      maxWebhooksPerAgent: 1_000,
    });
    expect(loadConfig({ ...valid, HOOKFLOW_CANONICAL_MAX_BYTES: '0' }).canonicalMaxBytes).toBe(0);
    const text = message({
      ...valid,
      HOOKFLOW_REQUEST_TIMEOUT_MS: '5',
      HOOKFLOW_MAX_CONNECTIONS: '0',
      HOOKFLOW_CANONICAL_MAX_BYTES: 'big',
      HOOKFLOW_MAX_WEBHOOKS_PER_AGENT: '-1',
    });
    for (const name of [
      'HOOKFLOW_REQUEST_TIMEOUT_MS',
      'HOOKFLOW_MAX_CONNECTIONS',
      'HOOKFLOW_CANONICAL_MAX_BYTES',
      'HOOKFLOW_MAX_WEBHOOKS_PER_AGENT',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...valid, PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 8080, logLevel: 'info' });
  });

  it('names every bad variable in one message', () => {
    const text = message({ ...valid, PORT: '99999', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud', HOOKFLOW_REDIS_PREFIX: 'has space' });
    expect(text).toContain('PORT');
    expect(text).toContain('REDIS_URL');
    expect(text).toContain('LOG_LEVEL');
    expect(text).toContain('HOOKFLOW_REDIS_PREFIX');
  });

  it('requires the admin token and master key in production, without echoing secrets', () => {
    const text = message({ NODE_ENV: 'production' });
    expect(text).toMatch(/HOOKFLOW_ADMIN_TOKEN: is required when NODE_ENV=production/);
    expect(text).toMatch(/HOOKFLOW_MASTER_KEY: is required when NODE_ENV=production/);
    const bad = message({ ...valid, HOOKFLOW_MASTER_KEY: 'short-secret-value' });
    expect(bad).toContain('HOOKFLOW_MASTER_KEY');
    expect(bad).not.toContain('short-secret-value');
  });

  it('rejects a short admin token', () => {
    expect(message({ ...valid, HOOKFLOW_ADMIN_TOKEN: 'short' })).toContain('HOOKFLOW_ADMIN_TOKEN');
  });
});
