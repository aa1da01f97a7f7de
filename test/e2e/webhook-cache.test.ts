import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSigned } from '../support/client.js';
import { freePort, spawnEntry, waitForHttp, type RunningProcess } from '../support/processes.js';
import { useStack } from '../support/use-stack.js';

// Two ingress replicas on one Redis: replica B caches a webhook, replica A changes it through the admin API, and B
// must follow at once through pub/sub, well before its cache entries expire (60 s).
const ctx = useStack('webhook-cache', { worker: false });
let replicaB: RunningProcess;
let baseB: string;

beforeAll(async () => {
  const port = await freePort();
  replicaB = spawnEntry('apps/ingress/src/main.ts', { ...ctx.stack.env, PORT: String(port) });
  baseB = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseB}/healthz`, 20_000, replicaB);
});

afterAll(async () => {
  await replicaB?.stop();
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
    const { webhookId, keyFile } = await ctx.api.setupWebhook('echo');
    const onB = `${baseB}/hooks/${webhookId}`;
    expect((await sendSigned(onB, { n: 1 }, keyFile.privateKey)).status).toBe(202);

    expect((await ctx.api.patch(`/webhooks/${webhookId}`, { status: 'disabled' })).status).toBe(200);
    expect(await eventually(() => sendSigned(onB, { n: 2 }, keyFile.privateKey), 403)).toBe(403);
    expect((await ctx.api.patch(`/webhooks/${webhookId}`, { status: 'enabled' })).status).toBe(200);
    expect(await eventually(() => sendSigned(onB, { n: 3 }, keyFile.privateKey), 202)).toBe(202);

    const rotated = await ctx.api.post(`/webhooks/${webhookId}/keys`, { graceSeconds: 0 });
    expect(rotated.status).toBe(201);
    expect(await eventually(() => sendSigned(onB, { n: 4 }, keyFile.privateKey), 401)).toBe(401);
    expect((await sendSigned(onB, { n: 5 }, rotated.body.privateKey)).status).toBe(202);

    expect((await ctx.api.delete(`/webhooks/${webhookId}`)).status).toBe(204);
    expect(await eventually(() => sendSigned(onB, { n: 6 }, rotated.body.privateKey), 404)).toBe(404);
  });
});
