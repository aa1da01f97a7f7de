import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { freePort, spawnEntry, startStack, waitForHttp, type Stack } from '../support/processes.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-server.js';
import { testPrefix } from '../support/redis.js';
import { startStub } from '../support/http-stub.js';

let cluster: RedisCluster;
let stack: Stack;
let api: AdminClient;
const prefix = testPrefix('cluster');

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  // One seed node is enough; the others are discovered.
  // The cancel test's upstream is on loopback, which an egress policy must allow.
  stack = await startStack({
    prefix,
    redisUrl: cluster.nodes[0]!.url,
    env: { HOOKFLOW_REDIS_CLUSTER: '1', LOG_LEVEL: 'warn', HOOKFLOW_EGRESS_ALLOW: '127.0.0.1' },
  });
  api = adminClient(stack.baseUrl, stack.adminToken);
  // The cluster client is ready once it has fetched the slot map; until then the ingress rightly answers 503.
  const deadline = Date.now() + 30_000;
  while ((await fetch(`${stack.baseUrl}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`ingress never became ready on the cluster:\n${stack.ingress.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
});

it('runs the end-to-end flow on a 3-master Redis Cluster: admin API, signed request, 202, succeeded', async () => {
  const { webhookId, keyFile } = await api.setupWebhook('echo');
  const endpoint = `${stack.baseUrl}/hooks/${webhookId}`;

  const payload = { documentId: 'doc-cluster', pages: 2 };
  const res = await sendSigned(endpoint, payload, keyFile.privateKey);
  expect(res.status).toBe(202);
  expect(await waitForDelivery(api, res.body.deliveryId)).toMatchObject({ status: 'succeeded', result: payload, attempts: 1 });

  // A micro-batch (one MULTI, one addBulk) and BullMQ's Lua scripts, all in the one `{prefix}` slot.
  const burst = await Promise.all(Array.from({ length: 30 }, (_, n) => sendSigned(endpoint, { n }, keyFile.privateKey)));
  expect(burst.map((r) => r.status)).toEqual(Array(30).fill(202));
  for (const [n, r] of burst.entries())
    expect(await waitForDelivery(api, r.body.deliveryId)).toMatchObject({ status: 'succeeded', result: { n } });

  // Registry writes (key rotation, webhook update) and reads over the cluster.
  const rotated = await api.post(`/webhooks/${webhookId}/keys`, { graceSeconds: 0 });
  expect(rotated.status).toBe(201);
  expect((await sendSigned(endpoint, { old: true }, keyFile.privateKey)).status).toBe(401);
  const afterRotation = await sendSigned(endpoint, { rotated: true }, rotated.body.privateKey);
  expect(afterRotation.status).toBe(202);
  expect(await waitForDelivery(api, afterRotation.body.deliveryId)).toMatchObject({ status: 'succeeded', result: { rotated: true } });

  // Every key of the installation sits in one slot, on the one master that owns it.
  const perNode = await Promise.all(cluster.nodes.map((node) => node.client.keys(`{${prefix}}:*`)));
  expect(perNode.filter((keys) => keys.length > 0)).toHaveLength(1);
  expect(perNode.flat().length).toBeGreaterThan(10);
});

it('HOOKFLOW_DURABILITY=fsync checks every master of the cluster', async () => {
  const proc = spawnEntry('apps/ingress/src/main.ts', { ...stack.env, PORT: '0', HOOKFLOW_DURABILITY: 'fsync' });
  const code = await proc.exited;
  expect(code).toBe(1);
  expect(proc.output().trim()).toMatch(
    /^hookflow ingress: HOOKFLOW_DURABILITY=fsync needs .* but 127\.0\.0\.1:\d+ has appendonly yes, appendfsync everysec$/,
  );
});

it('HOOKFLOW_DURABILITY=replicated sends WAIT to the master owning the slot, and answers 503 when no replica confirms', async () => {
  const port = await freePort();
  const proc = spawnEntry('apps/ingress/src/main.ts', {
    ...stack.env,
    PORT: String(port),
    HOOKFLOW_DURABILITY: 'replicated',
    HOOKFLOW_WAIT_TIMEOUT_MS: '200',
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, proc);
    while ((await fetch(`http://127.0.0.1:${port}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
    const { webhookId, keyFile } = await api.setupWebhook('echo');
    const res = await sendSigned(`http://127.0.0.1:${port}/hooks/${webhookId}`, { replicated: true }, keyFile.privateKey);
    expect(res.status).toBe(503);
    // The cluster has no replicas: WAIT reached the slot's master and counted none (not a routing failure).
    await new Promise((r) => setTimeout(r, 200));
    expect(proc.output()).toContain('only 0 of 1 replicas confirmed within 200 ms');
  } finally {
    await proc.stop('SIGKILL');
  }
});

it('stops a running delivery at once when it is cancelled: the cancel notice crosses the cluster', async () => {
  const dropped: string[] = [];
  // Never answers: only an aborted run closes the connection (the step's own timeout is ten minutes).
  const upstream = await startStub((req, _res, raw) => void raw.socket.on('close', () => dropped.push(req.path)));
  try {
    const put = await api.call('PUT', '/workflows/cluster-hang', {
      name: 'cluster-hang',
      steps: [{ id: 'hang', type: 'http', url: `${upstream.url}/hang`, timeoutMs: 600_000 }],
    });
    expect(put.status).toBe(201);
    const { webhookId, keyFile } = await api.setupWebhook('cluster-hang');
    const res = await sendSigned(`${stack.baseUrl}/hooks/${webhookId}`, {}, keyFile.privateKey);
    expect(res.status).toBe(202);
    const deadline = Date.now() + 30_000;
    while (upstream.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(upstream.requests).toHaveLength(1);

    expect(await api.post(`/deliveries/${res.body.deliveryId}/cancel`)).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    while (dropped.length === 0 && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 50));
    expect(dropped).toEqual(['/hang']);
    // The run records how its step ended right after dropping the request.
    await expect
      .poll(async () => (await api.get(`/deliveries/${res.body.deliveryId}`)).body, { timeout: 30_000 })
      .toMatchObject({ status: 'cancelled', steps: [{ id: 'hang', status: 'failed', error: { code: 'cancelled' } }] });
  } finally {
    await upstream.close();
  }
});
