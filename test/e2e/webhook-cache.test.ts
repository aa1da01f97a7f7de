import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, sendSigned, type AdminClient } from '../support/client.js';
import { freePort, spawnEntry, startStack, waitForHttp, type RunningProcess, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';

// Two ingress replicas on one Redis: replica B caches a webhook, replica A changes it through the admin API, and B
// must follow at once through pub/sub, well before its cache entries expire (60 s).
const prefix = testPrefix('webhook-cache');
const redis = testRedis();
let stack: Stack;
let replicaB: RunningProcess;
let baseB: string;
let api: AdminClient;

beforeAll(async () => {
  stack = await startStack({ prefix, worker: false });
  const port = await freePort();
  replicaB = spawnEntry('apps/ingress/src/main.ts', { ...stack.env, PORT: String(port) });
  baseB = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseB}/healthz`, 20_000, replicaB);
  api = adminClient(stack.baseUrl, stack.adminToken);
});

afterAll(async () => {
  await Promise.all([stack?.stop(), replicaB?.stop()]);
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

/** Retries `send` until it answers `status`; pub/sub delivery is asynchronous, so allow a few seconds (not 60). */
async function eventually(send: () => Promise<{ status: number }>, status: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await send();
    if (res.status === status || Date.now() > deadline) return res.status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhook cache invalidation across ingress replicas', () => {
  it('follows disable, key rotation and deletion made on another replica', async () => {
    const { webhookId, keyFile } = await api.setupWebhook('echo');
    const onB = `${baseB}/hooks/${webhookId}`;
    expect((await sendSigned(onB, { n: 1 }, keyFile.privateKey)).status).toBe(202);

    expect((await api.patch(`/webhooks/${webhookId}`, { status: 'disabled' })).status).toBe(200);
    expect(await eventually(() => sendSigned(onB, { n: 2 }, keyFile.privateKey), 403)).toBe(403);
    expect((await api.patch(`/webhooks/${webhookId}`, { status: 'enabled' })).status).toBe(200);
    expect(await eventually(() => sendSigned(onB, { n: 3 }, keyFile.privateKey), 202)).toBe(202);

    const rotated = await api.post(`/webhooks/${webhookId}/keys`, { graceSeconds: 0 });
    expect(rotated.status).toBe(201);
    expect(await eventually(() => sendSigned(onB, { n: 4 }, keyFile.privateKey), 401)).toBe(401);
    expect((await sendSigned(onB, { n: 5 }, rotated.body.privateKey)).status).toBe(202);

    expect((await api.delete(`/webhooks/${webhookId}`)).status).toBe(204);
    expect(await eventually(() => sendSigned(onB, { n: 6 }, rotated.body.privateKey), 404)).toBe(404);
  });
});
