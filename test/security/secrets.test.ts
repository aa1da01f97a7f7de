import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKeys, getScheme } from '@hookflow/shared';
import { adminClient, waitForDelivery } from '../support/client.js';
import { useStack } from '../support/use-stack.js';
import { postHook, providerSigners } from './provider-signers.js';

const readonlyToken = `test-readonly-${randomBytes(12).toString('hex')}`;
// Debug level, and every /hooks request in the sampled debug log, so the scan below sees the most the logs can say.
const ctx = useStack('secrets', { env: { LOG_LEVEL: 'debug', HOOKFLOW_LOG_SAMPLE_EVERY: '1', HOOKFLOW_READONLY_TOKEN: readonlyToken } });
const { prefix, redis } = ctx;
/** Every secret the run handled: tokens, master key, private keys, and every signature header value sent. */
const secrets = new Set<string>();

/** Everything stored under the prefix, of every type (strings, hashes, lists, sets, zsets, streams), as one text. */
async function dumpPrefix(): Promise<{ text: string; types: Set<string> }> {
  const parts: string[] = [];
  const types = new Set<string>();
  let cursor = '0';
  do {
    const [next, names] = await redis.scan(cursor, 'MATCH', createKeys(prefix).all, 'COUNT', 500);
    cursor = next;
    for (const name of names) {
      const type = await redis.type(name);
      types.add(type);
      parts.push(name);
      if (type === 'string') parts.push((await redis.get(name)) ?? '');
      else if (type === 'hash') parts.push(...Object.entries(await redis.hgetall(name)).flat());
      else if (type === 'list') parts.push(...(await redis.lrange(name, 0, -1)));
      else if (type === 'set') parts.push(...(await redis.smembers(name)));
      else if (type === 'zset') parts.push(...(await redis.zrange(name, '0', '-1')));
      else if (type === 'stream') for (const [id, fields] of await redis.xrange(name, '-', '+')) parts.push(id, ...fields);
      else throw new Error(`unexpected Redis type ${type} at ${name}`);
    }
  } while (cursor !== '0');
  return { text: parts.join('\n'), types };
}

/** The secrets found in `text`, shown by their first characters only (never print a secret in full). */
function leaked(text: string): string[] {
  return [...secrets].filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 6)}… (${secret.length} chars)`);
}

beforeAll(async () => {
  secrets.add(ctx.stack.adminToken);
  secrets.add(readonlyToken);
  secrets.add(ctx.stack.env.HOOKFLOW_MASTER_KEY!);

  const accepted: string[] = [];
  // A full run: every scheme, generated and provider-issued keys, rotation, deliveries run to the end, refusals.
  for (const signer of providerSigners) {
    const setup = await ctx.api.setupWebhook('echo', { scheme: signer.scheme, options: { rateLimit: { max: 4, perSeconds: 3600 } } });
    const url = `${ctx.stack.baseUrl}/hooks/${setup.webhookId}`;
    secrets.add(setup.keyFile.privateKey);
    const issued = (await ctx.api.setupWebhook('echo', { scheme: signer.scheme })).keyFile.privateKey as string;
    secrets.add(issued);
    expect((await ctx.api.post(`/webhooks/${setup.webhookId}/keys`, { secret: issued, graceSeconds: 600 })).status).toBe(201);
    const downloaded = await ctx.api.get(`/webhooks/${setup.webhookId}/private-key`);
    expect(downloaded.body.privateKey).toBe(issued);

    const sends = [
      await signer.sign({ event: 'one' }, issued, { id: `dup-${signer.scheme}` }),
      await signer.sign({ event: 'one' }, issued, { id: `dup-${signer.scheme}` }),
      await signer.sign({ event: 'old-key' }, setup.keyFile.privateKey),
      await signer.sign({ event: 'forged' }, getScheme(signer.scheme).generateSecret()),
    ];
    const statuses = [];
    for (const request of sends) {
      for (const name of signer.signatureHeader.split(',')) if (request.headers[name]) secrets.add(request.headers[name]!);
      const res = await postHook(url, request);
      statuses.push(res.status);
      if (res.status === 202) accepted.push(res.body.deliveryId);
    }
    expect(statuses).toEqual([202, 200, 202, 401]);
  }
  // The outbound secret (read, then rotated with a grace so two are live) is stored sealed and never logged either.
  const notifier = await ctx.api.setupWebhook('echo');
  secrets.add((await ctx.api.get(`/agents/${notifier.agentId}/outbound-secret`)).body.secret);
  secrets.add((await ctx.api.post(`/agents/${notifier.agentId}/outbound-secret`, { graceSeconds: 600 })).body.secret);
  const testEvent = await ctx.api.post(`/webhooks/${notifier.webhookId}/test-event`);
  expect(testEvent.body.response.status).toBe(202);
  accepted.push(testEvent.body.response.body.deliveryId);
  // Run every accepted delivery to its end, so the worker's side of the run is in Redis and in the log too.
  await Promise.all(accepted.map((id) => waitForDelivery(ctx.api, id, ['succeeded'], 60_000)));
  const reader = adminClient(ctx.stack.baseUrl, readonlyToken);
  expect((await reader.get('/agents')).status).toBe(200);
  expect((await reader.post('/agents', { name: 'x' })).status).toBe(403);
  expect((await adminClient(ctx.stack.baseUrl, `${ctx.stack.adminToken}-wrong`).get('/agents')).status).toBe(401);
});

describe('secrets', () => {
  it('are never stored in plaintext: every key under the prefix, of every type, including BullMQ job hashes', async () => {
    const { text, types } = await dumpPrefix();
    expect([...types]).toEqual(expect.arrayContaining(['hash', 'zset']));
    expect(text).toContain('run-delivery'); // the dump really includes the BullMQ job hashes
    expect(secrets.size).toBeGreaterThan(20);
    expect(leaked(text)).toEqual([]);

    // Control: the same scan does find a secret planted in a stream entry.
    const canary = `{${prefix}}:canary`;
    await redis.xadd(canary, '*', 'value', `prefix-${[...secrets][0]}-suffix`);
    expect(leaked((await dumpPrefix()).text)).toHaveLength(1);
    await redis.del(canary);
  });

  it('never appear in the ingress or worker log of a full run at LOG_LEVEL=debug', async () => {
    await ctx.stack.stop();
    const logs = `${ctx.stack.ingress.output()}\n${ctx.stack.worker!.output()}`;
    expect(logs).toContain('ingress listening');
    expect(logs).toContain('worker started');
    expect(logs).toContain('"msg":"ingest sample"');
    expect(leaked(logs)).toEqual([]);
    expect(logs).not.toMatch(/Bearer\s+\S/);
  });
});
