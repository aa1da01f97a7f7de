import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnEntry, waitForHttp, type RunningProcess } from '../support/processes.js';
import { useStack } from '../support/use-stack.js';
import { postHook, providerSigners } from './provider-signers.js';

const ctx = useStack('ratelimit-e2e', { worker: false });
const { prefix, redis } = ctx;
let replica: RunningProcess;
let replicaUrl: string;
const uptiq = providerSigners.find((s) => s.scheme === 'uptiq')!;

beforeAll(async () => {
  // A second ingress replica on the same Redis prefix.
  const port = await freePort();
  replica = spawnEntry('apps/ingress/src/main.ts', { ...ctx.stack.env, PORT: String(port) });
  replicaUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${replicaUrl}/healthz`, 60_000, replica);
});

afterAll(async () => {
  await replica?.stop();
});

describe('rate limit per webhook', () => {
  it('counts only authentic requests, shares the count across replicas, and answers 429 rate_limited with Retry-After', async () => {
    const setup = await ctx.api.setupWebhook('echo', { options: { rateLimit: { max: 4, perSeconds: 3600 } } });
    const path = `/hooks/${setup.webhookId}`;
    const secret = setup.keyFile.privateKey;

    // Forged requests are refused before they are counted.
    for (let i = 0; i < 6; i++) {
      const forged = await uptiq.sign({ i }, 'not-the-key');
      expect((await postHook(`${ctx.stack.baseUrl}${path}`, forged)).status).toBe(401);
    }

    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(await postHook(`${i % 2 ? replicaUrl : ctx.stack.baseUrl}${path}`, await uptiq.sign({ i }, secret)));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 429, 429]);
    for (const limited of results.slice(4)) {
      expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    expect(await redis.zcard(`{${prefix}}:webhook:${setup.webhookId}:deliveries`)).toBe(4);
  });

  it('leaves other webhooks, and webhooks without a limit, alone', async () => {
    const limited = await ctx.api.setupWebhook('echo', { options: { rateLimit: { max: 1, perSeconds: 3600 } } });
    const free = await ctx.api.setupWebhook('echo');
    const send = (id: string, secret: string) => uptiq.sign({ x: 1 }, secret).then((r) => postHook(`${ctx.stack.baseUrl}/hooks/${id}`, r));
    expect((await send(limited.webhookId, limited.keyFile.privateKey)).status).toBe(202);
    expect((await send(limited.webhookId, limited.keyFile.privateKey)).status).toBe(429);
    for (let i = 0; i < 5; i++) expect((await send(free.webhookId, free.keyFile.privateKey)).status).toBe(202);
  });
});
