import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { spawnEntry, startStack, waitForHttp, type RunningProcess, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';
import { sendJson, startStub, type HttpStub } from '../support/http-stub.js';

/**
 * Flow control per key (API.md §5.4) with the real ingress and two worker processes: order per key under a slow
 * fetch and under retries, limits per key, and debounce. The CRM stand-in records, per key, the order of the fetches
 * and the most fetches it had in flight at once.
 */
const prefix = testPrefix('flow-control');
const redis = testRedis();
let stack: Stack;
let workers: RunningProcess[] = [];
let api: AdminClient;
let crm: HttpStub;

const seen = new Map<string, number[]>();
const inFlight = new Map<string, number>();
const maxInFlight = new Map<string, number>();
/** `<client>:<seq>` → how many more times to answer 503 before answering. */
const failures = new Map<string, number>();
/** `<client>:<seq>` → ms to wait before answering. */
const slow = new Map<string, number>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  crm = await startStub(async (req, res) => {
    const url = new URL(req.path, 'http://stub');
    const client = decodeURIComponent(url.pathname.replace('/clients/', ''));
    const seq = Number(url.searchParams.get('seq'));
    const id = `${client}:${seq}`;
    const now = (inFlight.get(client) ?? 0) + 1;
    inFlight.set(client, now);
    maxInFlight.set(client, Math.max(maxInFlight.get(client) ?? 0, now));
    try {
      await sleep(slow.get(id) ?? 30);
      const failing = failures.get(id) ?? 0;
      if (failing > 0) {
        failures.set(id, failing - 1);
        return sendJson(res, 503, { error: 'try again' });
      }
      seen.set(client, [...(seen.get(client) ?? []), seq]);
      return sendJson(res, 200, { id: client, seq });
    } finally {
      inFlight.set(client, (inFlight.get(client) ?? 1) - 1);
    }
  });
  stack = await startStack({
    prefix,
    worker: false,
    env: { HOOKFLOW_VAR_CRM_URL: crm.url, HOOKFLOW_EGRESS_ALLOW: new URL(crm.url).host, LOG_LEVEL: 'warn' },
  });
  // Two worker processes: a key's slots hold across both.
  workers = [
    spawnEntry('apps/worker/src/main.ts', stack.env),
    spawnEntry('apps/worker/src/main.ts', { ...stack.env, WORKER_PORT: String(stack.workerPort + 1) }),
  ];
  await waitForHttp(`http://127.0.0.1:${stack.workerPort}/healthz`, 90_000, workers[0]);
  await waitForHttp(`http://127.0.0.1:${stack.workerPort + 1}/healthz`, 90_000, workers[1]);
  api = adminClient(stack.baseUrl, stack.adminToken);
  const put = await api.call('PUT', '/workflows/ordered-sync', {
    name: 'ordered-sync',
    concurrency: { key: 'payload.clientId', limit: 1 },
    retry: { attempts: 4, backoff: { type: 'fixed', delayMs: 200 } },
    steps: [
      {
        id: 'client',
        type: 'http',
        url: '{{ env.CRM_URL }}/clients/{{ $encodeUrlComponent(payload.clientId) }}?seq={{ payload.seq }}',
        timeoutMs: 10_000,
      },
      {
        id: 'save',
        type: 'store',
        collection: 'clients',
        key: '{{ payload.clientId }}',
        set: { lastSeq: '{{ steps.client.output.body.seq }}' },
      },
    ],
  });
  expect(put.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await stack?.stop();
  await crm?.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function hook(options: Record<string, unknown> = {}) {
  const setup = await api.setupWebhook('ordered-sync', { options });
  const endpoint = setup.keyFile.endpoint.replace(/^http:\/\/localhost:\d+/, stack.baseUrl);
  return { ...setup, send: (payload: unknown) => sendSigned(endpoint, payload, setup.keyFile.privateKey) };
}

async function accepted(answer: Promise<{ status: number; body: any }>): Promise<string> {
  const { status, body } = await answer;
  expect(status).toBe(202);
  return body.deliveryId as string;
}

describe('concurrency per key', () => {
  it('60 updates of one client, 20 ms apart, with a slow fetch for update 59: the record ends at update 60, fetched in order', async () => {
    const { agentId, send } = await hook();
    slow.set('cli-60:59', 1_500);
    const ids: string[] = [];
    for (let seq = 1; seq <= 60; seq++) {
      ids.push(await accepted(send({ clientId: 'cli-60', seq })));
      await sleep(20);
    }
    for (const id of ids) expect((await waitForDelivery(api, id, ['succeeded', 'failed'], 120_000)).status).toBe('succeeded');
    expect(seen.get('cli-60')).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(maxInFlight.get('cli-60')).toBe(1);
    const record = await api.get(`/agents/${agentId}/records/clients/cli-60`);
    expect(record.body.value.lastSeq).toBe(60);
    const last = await api.get(`/deliveries/${ids[59]}`);
    expect(last.body).toMatchObject({ concurrencyKey: 'cli-60', debounceKey: null, supersededBy: null });
  }, 180_000);

  it('a retried event keeps its key: the next one starts only after it succeeded', async () => {
    const { send } = await hook();
    failures.set('cli-retry:2', 2);
    const ids: string[] = [];
    for (let seq = 1; seq <= 4; seq++) ids.push(await accepted(send({ clientId: 'cli-retry', seq })));
    const done = await Promise.all(ids.map((id) => waitForDelivery(api, id, ['succeeded', 'failed'], 60_000)));
    expect(done.map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(done[1].attempts).toBe(3);
    expect(seen.get('cli-retry')).toEqual([1, 2, 3, 4]);
    expect(maxInFlight.get('cli-retry')).toBe(1);
  }, 120_000);

  it('3 keys with limits 1, 2 and 3 (the webhook options win over the workflow): never more in flight than the limit', async () => {
    const limits = [1, 2, 3];
    const hooks = await Promise.all(limits.map((limit) => hook({ concurrency: { key: 'payload.clientId', limit } })));
    const ids: string[] = [];
    for (let seq = 1; seq <= 8; seq++) {
      for (const [i, limit] of limits.entries()) {
        slow.set(`cli-limit-${limit}:${seq}`, 300);
        ids.push(await accepted(hooks[i]!.send({ clientId: `cli-limit-${limit}`, seq })));
      }
    }
    for (const id of ids) expect((await waitForDelivery(api, id, ['succeeded', 'failed'], 120_000)).status).toBe('succeeded');
    for (const limit of limits) {
      expect(seen.get(`cli-limit-${limit}`)).toHaveLength(8);
      expect(maxInFlight.get(`cli-limit-${limit}`)).toBeLessThanOrEqual(limit);
    }
    // Limit 1 is also arrival order.
    expect(seen.get('cli-limit-1')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }, 180_000);

  it('a key expression that evaluates to nothing means no limit; one that fails on the payload is a 422', async () => {
    const { send } = await hook({ concurrency: { key: 'payload.missing', limit: 1 } });
    const id = await accepted(send({ clientId: 'cli-nokey', seq: 1 }));
    expect(await waitForDelivery(api, id)).toMatchObject({ status: 'succeeded', concurrencyKey: null });
    const failing = await hook({ concurrency: { key: '$number(payload.clientId)', limit: 1 } });
    const answer = await failing.send({ clientId: 'not-a-number', seq: 1 });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('payload_invalid');
  }, 60_000);

  it('shows the parked deliveries on /metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${stack.workerPort}/metrics`);
    expect(await res.text()).toMatch(/^hookflow_key_waiting_deliveries \d+$/m);
  });
});

describe('debounce per key', () => {
  it('runs only the last payload of a burst; the others end superseded by it', async () => {
    const { send } = await hook({ debounce: { key: 'payload.clientId', periodMs: 1_500 } });
    const ids: string[] = [];
    for (let seq = 1; seq <= 5; seq++) ids.push(await accepted(send({ clientId: 'cli-burst', seq })));
    const last = await waitForDelivery(api, ids[4]!, ['succeeded', 'failed'], 60_000);
    expect(last).toMatchObject({ status: 'succeeded', debounceKey: 'cli-burst', supersededBy: null });
    for (const id of ids.slice(0, 4)) {
      const older = (await api.get(`/deliveries/${id}`)).body;
      expect(older).toMatchObject({ status: 'superseded', startedAt: null, steps: [] });
      expect(ids).toContain(older.supersededBy);
    }
    // Each one names the next: the chain ends at the delivery that ran.
    const byId = new Map((await Promise.all(ids.map((id) => api.get(`/deliveries/${id}`)))).map((r) => [r.body.id, r.body]));
    let at = ids[0]!;
    while (byId.get(at)!.supersededBy) at = byId.get(at)!.supersededBy;
    expect(at).toBe(ids[4]);
    expect(seen.get('cli-burst')).toEqual([5]);
  }, 90_000);
});
