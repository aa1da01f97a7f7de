import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, sendSigned, waitForDelivery, type AdminClient } from '../support/client.js';
import { appEntry, spawnEntry, startStack, waitForHttp, type RunningProcess, type Stack } from '../support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../support/redis.js';
import { sendJson, startStub, type HttpStub } from '../support/http-stub.js';
import { sigkillTree } from '../support/kill-tree.js';

/**
 * The effectively-once claim of `store` steps under the worst failure: the worker process is SIGKILLed again and
 * again while 200 payment-update deliveries run. Every balance must equal the sum of its accepted payments exactly.
 */
const prefix = testPrefix('sigkill');
const redis = testRedis();
let stack: Stack;
let api: AdminClient;
let sink: HttpStub;
let worker: RunningProcess;

beforeAll(async () => {
  // A slow receipt endpoint keeps deliveries in flight long enough for the kills to land mid-run.
  sink = await startStub(async (_req, res) => {
    await new Promise((r) => setTimeout(r, 200));
    sendJson(res, 200, { received: true });
  });
  // The worker is started here rather than by startStack, with a longer start-up allowance: machines are shared.
  stack = await startStack({
    prefix,
    worker: false,
    // The kills strand a delivery as often as they land on it; quarantine (HOOKFLOW_MAX_STALLS) must not end one here,
    // where the worker dies for reasons of its own.
    env: {
      HOOKFLOW_LOCK_MS: '2000',
      HOOKFLOW_STALLED_INTERVAL_MS: '1000',
      HOOKFLOW_MAX_STALLS: '1000',
      WORKER_CONCURRENCY: '4',
      HOOKFLOW_VAR_NOTIFY_URL: sink.url,
      HOOKFLOW_EGRESS_ALLOW: new URL(sink.url).host,
      LOG_LEVEL: 'warn',
    },
  });
  await restartWorker();
  api = adminClient(stack.baseUrl, stack.adminToken);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await stack?.ingress.stop();
  await sink?.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
});

async function restartWorker(): Promise<void> {
  // The bundle, as shipped: its run threads start in a fraction of a second, so the kills land mid-run (threads
  // loading the TypeScript sources take seconds, and the kills would all land before any step ran).
  worker = spawnEntry(appEntry('worker', true), stack.env);
  await waitForHttp(`http://127.0.0.1:${stack.workerPort}/healthz`, 90_000, worker);
}

describe('payment-update under repeated SIGKILL of the worker', () => {
  it('credits every accepted payment exactly once', { timeout: 300_000 }, async () => {
    const { agentId, keyFile } = await api.setupWebhook('payment-update');
    const endpoint = keyFile.endpoint.replace(/^http:\/\/localhost:\d+/, stack.baseUrl);
    const accounts = Array.from({ length: 8 }, (_, i) => `acc-${i}`);
    const payments = Array.from({ length: 200 }, (_, i) => ({
      paymentId: `pay-${i}`,
      accountId: accounts[i % accounts.length]!,
      // Every 17th payment is invalid (fail rule) and every 13th was not processed (no credit): neither may count.
      amount: i % 17 === 5 ? -100 : 1 + ((i * 7919) % 50_000),
      currency: 'EUR',
      status: i % 13 === 3 ? 'failed' : 'processed',
    }));

    let sending = true;
    const kills: number[] = [];
    const killer = (async () => {
      // Kill the worker repeatedly while deliveries arrive and run; each time a fresh one must pick up the pieces.
      while (sending || kills.length < 6) {
        await new Promise((r) => setTimeout(r, 800 + Math.random() * 1200));
        await sigkillTree(worker);
        kills.push(Date.now());
        await restartWorker();
      }
    })();

    const accepted: { payment: (typeof payments)[number]; deliveryId: string }[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const slice = payments.slice(batch * 40, batch * 40 + 40);
      const answers = await Promise.all(slice.map((payment) => sendSigned(endpoint, payment, keyFile.privateKey)));
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(202);
        accepted.push({ payment: slice[i]!, deliveryId: answer.body.deliveryId });
      });
      await new Promise((r) => setTimeout(r, 500));
    }
    sending = false;
    await killer;
    expect(kills.length).toBeGreaterThanOrEqual(6);

    const finished = await Promise.all(
      accepted.map(({ deliveryId }) => waitForDelivery(api, deliveryId, ['succeeded', 'failed'], 200_000)),
    );
    const expected = new Map<string, number>();
    finished.forEach((delivery, i) => {
      const { payment } = accepted[i]!;
      if (payment.amount <= 0) {
        expect(delivery).toMatchObject({ status: 'failed', error: { code: 'payment_invalid' } });
        return;
      }
      expect(delivery.status).toBe('succeeded');
      if (payment.status === 'processed') expect(delivery.steps.find((s: any) => s.id === 'credit')).toMatchObject({ status: 'succeeded' });
      if (payment.status === 'processed') expected.set(payment.accountId, (expected.get(payment.accountId) ?? 0) + payment.amount);
    });

    // The kills must have landed mid-run: some deliveries had a step started again by the next worker.
    const interrupted = finished.filter((delivery) => delivery.steps.some((s: any) => s.attempts > 1)).length;
    expect(interrupted).toBeGreaterThan(0);

    const credited = accepted.filter(({ payment }) => payment.amount > 0 && payment.status === 'processed');
    for (const account of accounts) {
      const record = await api.get(`/agents/${agentId}/records/balances/${account}`);
      expect(record.status).toBe(200);
      expect(record.body.value.balance).toBe(expected.get(account));
      expect(record.body.value.payments).toBe(credited.filter(({ payment }) => payment.accountId === account).length);
    }
    const listed = await api.get(`/agents/${agentId}/records/payments?limit=200`);
    expect(listed.body.items).toHaveLength(accepted.filter(({ payment }) => payment.amount > 0).length);
  });
});
