import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, type WebhookRecord } from '@hookflow/shared';
import { cleanupPrefix, testPrefix, testRedis } from '../../../../test/support/redis.js';
import { createRateLimiter } from './rate-limiter.js';

const prefix = testPrefix('ratelimit');
const keys = createKeys(prefix);
const redis = testRedis();

afterAll(async () => {
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

const webhook = (id: string, rateLimit: WebhookRecord['options']['rateLimit']): WebhookRecord => ({
  id,
  agentId: 'agt_x',
  name: 'w',
  workflow: 'echo',
  scheme: 'uptiq',
  status: 'enabled',
  options: { rateLimit },
  createdAt: new Date(0).toISOString(),
});

describe('createRateLimiter (real Redis)', () => {
  it('lets max requests through per window, then answers with the seconds left in it', async () => {
    const limit = createRateLimiter(redis, keys);
    const hook = webhook('wh_limited', { max: 3, perSeconds: 60 });
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => limit(hook)));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(3);
    const refused = verdicts.filter((v) => !v.ok);
    expect(refused).toHaveLength(2);
    for (const v of refused) {
      if (v.ok) continue;
      expect(v.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(v.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
  });

  it('shares one counter between limiters on different connections (replicas)', async () => {
    const other = testRedis();
    const hook = webhook('wh_shared', { max: 2, perSeconds: 60 });
    const a = createRateLimiter(redis, keys);
    const b = createRateLimiter(other, keys);
    expect(await a(hook)).toEqual({ ok: true });
    expect(await b(hook)).toEqual({ ok: true });
    expect((await a(hook)).ok).toBe(false);
    expect((await b(hook)).ok).toBe(false);
    other.disconnect();
  });

  it('opens a new window once the old one expires', async () => {
    const limit = createRateLimiter(redis, keys);
    const hook = webhook('wh_window', { max: 1, perSeconds: 1 });
    expect(await limit(hook)).toEqual({ ok: true });
    expect((await limit(hook)).ok).toBe(false);
    while ((await redis.exists(keys.rateLimit('wh_window'))) === 1) await new Promise((r) => setTimeout(r, 50));
    expect(await limit(hook)).toEqual({ ok: true });
  });

  it('does not touch Redis for a webhook without a limit', async () => {
    const limit = createRateLimiter(redis, keys);
    expect(await limit(webhook('wh_free', null))).toEqual({ ok: true });
    expect(await limit(webhook('wh_free', undefined))).toEqual({ ok: true });
    expect(await redis.exists(keys.rateLimit('wh_free'))).toBe(0);
  });
});
