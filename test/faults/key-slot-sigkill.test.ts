import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { spawnEntry, startStack, waitForHttp, type RunningProcess, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';
import { sendJson, startStub, type HttpStub } from '../support/http-stub.js';
import { sigkillTree } from '../support/kill-tree.js';

/**
 * A worker SIGKILLed while it holds a concurrency key's slot: stall recovery returns its job, which holds the slot
 * again, so the key's deliveries still run one at a time in arrival order and none waits for more than that.
 */
const prefix = testPrefix('key-slot-sigkill');
const redis = testRedis();
let stack: Stack;
let api: AdminClient;
let crm: HttpStub;
let worker: RunningProcess | undefined;
/** Fetches per sequence number, in the order the stand-in saw them; the first fetch of seq 1 never answers. */
const fetches: number[] = [];
let firstFetch!: () => void;
const firstFetchSeen = new Promise<void>((resolve) => (firstFetch = resolve));

beforeAll(async () => {
  crm = await startStub(async (req, res) => {
    const seq = Number(new URL(req.path, 'http://stub').searchParams.get('seq'));
    fetches.push(seq);
    if (seq === 1 && fetches.filter((s) => s === 1).length === 1) {
      firstFetch();
      return; // hangs: its worker is killed meanwhile
    }
    sendJson(res, 200, { seq });
  });
  stack = await startStack({
    prefix,
    worker: false,
    env: {
      HOOKFLOW_LOCK_MS: '2000',
      HOOKFLOW_STALLED_INTERVAL_MS: '1000',
      HOOKFLOW_VAR_CRM_URL: crm.url,
      HOOKFLOW_EGRESS_ALLOW: new URL(crm.url).host,
      LOG_LEVEL: 'warn',
    },
  });
  api = adminClient(stack.baseUrl, stack.adminToken);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await stack?.ingress.stop();
  await crm?.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function startWorker(): Promise<RunningProcess> {
  const proc = spawnEntry('apps/worker/src/main.ts', stack.env);
  await waitForHttp(`http://127.0.0.1:${stack.workerPort}/healthz`, 90_000, proc);
  return proc;
}

describe('a worker killed while holding a key slot', () => {
  it(
    'does not block the key beyond stall recovery: the returned job holds the slot again and order is kept',
    { timeout: 240_000 },
    async () => {
      const put = await api.call('PUT', '/workflows/keyed-fetch', {
        name: 'keyed-fetch',
        concurrency: { key: 'payload.clientId', limit: 1 },
        steps: [
          { id: 'client', type: 'http', url: '{{ env.CRM_URL }}/clients/{{ payload.clientId }}?seq={{ payload.seq }}', timeoutMs: 120_000 },
        ],
      });
      expect(put.status).toBe(201);
      const { keyFile } = await api.setupWebhook('keyed-fetch');
      const endpoint = keyFile.endpoint.replace(/^http:\/\/localhost:\d+/, stack.baseUrl);
      const ids: string[] = [];
      for (let seq = 1; seq <= 5; seq++) {
        const answer = await sendSigned(endpoint, { clientId: 'cli-kill', seq }, keyFile.privateKey);
        expect(answer.status).toBe(202);
        ids.push(answer.body.deliveryId);
      }
      worker = await startWorker();
      await firstFetchSeen;
      // The others of the key are parked behind it, not running.
      const second = await waitForDelivery(api, ids[1]!, ['queued'], 30_000);
      expect(second.startedAt).toBeNull();
      await sigkillTree(worker);
      worker = await startWorker();

      const done = await Promise.all(ids.map((id) => waitForDelivery(api, id, ['succeeded', 'failed'], 120_000)));
      expect(done.map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
      // The killed run's fetch was made again by the next worker, before any later delivery of the key.
      expect(fetches).toEqual([1, 1, 2, 3, 4, 5]);
    },
  );
});
