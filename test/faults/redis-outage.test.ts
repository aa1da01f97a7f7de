import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../scripts/embedded-redis.js';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { startStack, type Stack } from '../support/processes.js';
import { testPrefix } from '../support/redis.js';

// A private redis-server (its own port and data dir) that the test stops under the running ingress and worker.
const dir = mkdtempSync(join(tmpdir(), 'hookflow-outage-'));
let redis: EmbeddedRedis;
let stack: Stack;
let api: AdminClient;
let setup: Awaited<ReturnType<AdminClient['setupWebhook']>>;
let endpoint: string;

beforeAll(async () => {
  redis = await startEmbeddedRedis(dir, { appendfsync: 'always' });
  stack = await startStack({ prefix: testPrefix('outage'), redisUrl: redis.url });
  api = adminClient(stack.baseUrl, stack.adminToken);
  setup = await api.setupWebhook('echo');
  endpoint = `${stack.baseUrl}/hooks/${setup.webhookId}`;
});

afterAll(async () => {
  await stack?.stop();
  await redis?.stop();
});

describe('Redis going away under the ingress', () => {
  it('answers 503 with Retry-After (never 2xx, never a hang) while Redis is down, then recovers by itself', async () => {
    const before = await sendSigned(endpoint, { phase: 'before' }, setup.keyFile.privateKey);
    expect(before.status).toBe(202);
    await waitForDelivery(api, before.body.deliveryId);

    const port = Number(new URL(redis.url).port);
    await redis.stop('SIGKILL');

    const started = Date.now();
    const during = await sendSigned(endpoint, { phase: 'during' }, setup.keyFile.privateKey);
    expect(during.status).toBe(503);
    expect(during.body.code).toBe('unavailable');
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
    // Generous bound that only catches a hang (the enqueue gives up after 3 s; ioredis fails at once while offline).
    expect(Date.now() - started).toBeLessThan(15_000);

    const ready = await fetch(`${stack.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
    // A webhook that is not cached needs the store too: still 503, not 404.
    const uncached = await fetch(`${stack.baseUrl}/hooks/wh_0000000000000000000000000a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(uncached.status).toBe(503);

    redis = await startEmbeddedRedis(dir, { port, appendfsync: 'always' });
    let after: Awaited<ReturnType<typeof sendSigned>> | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      after = await sendSigned(endpoint, { phase: 'after' }, setup.keyFile.privateKey);
      if (after.status === 202) break;
      expect(after.status).toBe(503);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(after?.status).toBe(202);
    // Each of the ingress's connections reconnects on its own backoff: readiness follows within a few seconds.
    await expect.poll(async () => (await fetch(`${stack.baseUrl}/readyz`)).status, { timeout: 15_000, interval: 250 }).toBe(200);
    const delivery = await waitForDelivery(api, after!.body.deliveryId);
    expect(delivery.result).toEqual({ phase: 'after' });
    // What was acknowledged before the outage is still there (AOF).
    expect((await api.get(`/deliveries/${before.body.deliveryId}`)).body.status).toBe('succeeded');
  });
});
