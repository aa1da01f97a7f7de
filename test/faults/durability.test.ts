import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, sendSigned } from '../support/client.js';
import { spawnEntry, startStack, type Stack } from '../support/processes.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { testPrefix } from '../support/redis.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function redisServer(options: Parameters<typeof startRedisServer>[0]): Promise<RedisServer> {
  const server = await startRedisServer(options);
  cleanups.push(() => server.stop());
  return server;
}

async function stack(redis: RedisServer, env: NodeJS.ProcessEnv): Promise<Stack> {
  const started = await startStack({ prefix: testPrefix('durability'), redisUrl: redis.url, worker: false, env });
  cleanups.push(() => started.stop());
  return started;
}

/** Runs the ingress expecting it to refuse to start; returns its exit code and what it printed. */
async function refusedStart(env: NodeJS.ProcessEnv) {
  const proc = spawnEntry('apps/ingress/src/main.ts', {
    PORT: '0',
    HOOKFLOW_ADMIN_TOKEN: 'x'.repeat(24),
    HOOKFLOW_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
    ...env,
  });
  cleanups.push(() => proc.stop('SIGKILL'));
  const code = await proc.exited;
  return { code, output: proc.output().trim() };
}

describe('HOOKFLOW_DURABILITY=fsync', () => {
  it('refuses to start, in one readable line, unless Redis fsyncs every write; starts and accepts when it does', async () => {
    const redis = await redisServer({ appendfsync: 'everysec' });
    const refused = await refusedStart({ REDIS_URL: redis.url, HOOKFLOW_DURABILITY: 'fsync' });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(
      /^hookflow ingress: HOOKFLOW_DURABILITY=fsync needs Redis with appendonly yes and appendfsync always, but 127\.0\.0\.1:\d+ has appendonly yes, appendfsync everysec$/,
    );

    await redis.client.config('SET', 'appendfsync', 'always');
    const ingress = await stack(redis, { HOOKFLOW_DURABILITY: 'fsync' });
    const api = adminClient(ingress.baseUrl, ingress.adminToken);
    const { webhookId, keyFile } = await api.setupWebhook('echo');
    const res = await sendSigned(`${ingress.baseUrl}/hooks/${webhookId}`, { fsync: true }, keyFile.privateKey);
    expect(res.status).toBe(202);
  });

  it('names the variable when the mode is unknown', async () => {
    const refused = await refusedStart({ HOOKFLOW_DURABILITY: 'paranoid' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('HOOKFLOW_DURABILITY: must be ack, fsync or replicated');
    expect(refused.output).not.toMatch(/\n\s+at /);
  });
});

describe('HOOKFLOW_DURABILITY=replicated', () => {
  it('answers 202 once a replica confirmed the batch, and 503 when no replica does', async () => {
    const master = await redisServer({});
    const replica = await redisServer({ replicaOf: `127.0.0.1:${master.port}` });
    while (!/master_link_status:up/.test(await replica.client.info('replication'))) await new Promise((r) => setTimeout(r, 100));

    const ingress = await stack(master, { HOOKFLOW_DURABILITY: 'replicated', HOOKFLOW_MIN_REPLICAS: '1', HOOKFLOW_WAIT_TIMEOUT_MS: '500' });
    const api = adminClient(ingress.baseUrl, ingress.adminToken);
    const { webhookId, keyFile } = await api.setupWebhook('echo');
    const endpoint = `${ingress.baseUrl}/hooks/${webhookId}`;

    const confirmed = await sendSigned(endpoint, { replicated: true }, keyFile.privateKey);
    expect(confirmed.status).toBe(202);
    // The 202 came after WAIT: the replica already holds the delivery record.
    expect(await replica.client.hget(`{${ingress.prefix}}:delivery:${confirmed.body.deliveryId}`, 'status')).toBe('queued');

    await replica.kill('SIGKILL');
    const unconfirmed = await sendSigned(endpoint, { replicated: false }, keyFile.privateKey);
    expect(unconfirmed.status).toBe(503);
    expect(unconfirmed.body).toMatchObject({ status: 503, code: 'unavailable' });
    expect(unconfirmed.headers.get('retry-after')).toBeTruthy();
    // The store itself is fine: readiness stays 200 (only the replication promise could not be kept).
    expect((await fetch(`${ingress.baseUrl}/readyz`)).status).toBe(200);
  });
});
