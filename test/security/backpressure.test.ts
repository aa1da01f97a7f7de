import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, QueueSet } from '@hookflow/shared';
import { useStack } from '../support/use-stack.js';
import { postHook, providerSigners } from './provider-signers.js';

// No worker: jobs stay waiting, so the backlog only grows.
const ctx = useStack('backpressure', { worker: false, env: { HOOKFLOW_MAX_BACKLOG: '3' } });
const { prefix, redis } = ctx;
const queues = new QueueSet(redis, createKeys(prefix));
const uptiq = providerSigners.find((s) => s.scheme === 'uptiq')!;

afterAll(async () => {
  await queues.close();
});

describe('backpressure (HOOKFLOW_MAX_BACKLOG)', () => {
  it('answers 503 unavailable with Retry-After once the waiting backlog reaches the limit, storing nothing, and recovers when it drains', async () => {
    const setup = await ctx.api.setupWebhook('echo');
    const url = `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`;
    const stored = () => redis.zcard(`{${prefix}}:webhook:${setup.webhookId}:deliveries`);
    let accepted = 0;
    let refused: Awaited<ReturnType<typeof postHook>> | undefined;
    // The count is refreshed in the background (about once a second): keep sending until the ingress notices.
    for (let i = 0; i < 400 && !refused; i++) {
      const res = await postHook(url, await uptiq.sign({ i }, setup.keyFile.privateKey));
      if (res.status === 202) accepted++;
      else if (res.status === 503) refused = res;
      else throw new Error(`unexpected ${res.status}`);
      if (!refused) await new Promise((r) => setTimeout(r, 20));
    }
    expect(refused).toBeDefined();
    expect(refused!.body).toMatchObject({ status: 503, code: 'unavailable' });
    expect(refused!.headers.get('retry-after')).toBe('5');
    expect(accepted).toBeGreaterThanOrEqual(3);
    expect(await stored()).toBe(accepted);
    expect(await queues.get('default').getWaitingCount()).toBe(accepted);

    await queues.get('default').drain();
    let recovered = false;
    for (let i = 0; i < 200 && !recovered; i++) {
      const res = await postHook(url, await uptiq.sign({ after: i }, setup.keyFile.privateKey));
      recovered = res.status === 202;
      if (!recovered) await new Promise((r) => setTimeout(r, 50));
    }
    expect(recovered).toBe(true);
  });
});
