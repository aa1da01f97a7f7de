import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendSigned } from '../support/client.js';
import { startStub, type HttpStub } from '../support/http-stub.js';
import { everyEventOnce, startFaultHarness, type FaultHarness } from '../support/fault-harness.js';
import { sleep } from '../support/event-sender.js';
import { echoScenario } from '../support/scenario.js';

/**
 * Poison quarantine: one delivery kills whichever worker runs it (here the test SIGKILLs that worker each time the
 * delivery starts running). After HOOKFLOW_MAX_STALLS abandonments it must fail with `worker_crashed` instead of
 * taking down the next worker, while the deliveries of another webhook keep flowing on the workers that live.
 */
const maxStalls = 2;
let h: FaultHarness;
let upstream: HttpStub;

beforeAll(async () => {
  // The poison delivery's step calls this and never gets an answer: it is "running" until its worker dies.
  upstream = await startStub(() => undefined);
  h = await startFaultHarness({
    name: 'poison-quarantine',
    scenario: echoScenario,
    // Explicit, so the test states the limit it checks; the upstream is on loopback, which an egress policy must allow.
    env: { HOOKFLOW_MAX_STALLS: String(maxStalls), HOOKFLOW_EGRESS_ALLOW: '127.0.0.1' },
  });
  await h.startWorker();
});

afterAll(async () => {
  await h?.teardown();
  await upstream?.close();
});

it(`fails a delivery that kills its workers with worker_crashed after ${maxStalls} stalls; everything else runs once`, async () => {
  const put = await h.api.call('PUT', '/workflows/poison-hang', {
    name: 'poison-hang',
    steps: [{ id: 'hang', type: 'http', url: `${upstream.url}/hang`, timeoutMs: 600_000 }],
  });
  expect(put.status).toBe(201);
  const poisonHook = await h.api.setupWebhook('poison-hang');

  const sender = h.sender({ paceMs: 100 });
  const sending = sender.run(Number.POSITIVE_INFINITY, 3);
  while (sender.accepted.size < 20) await sleep(20);

  const sent = await sendSigned(`${h.stack.baseUrl}/hooks/${poisonHook.webhookId}`, { poison: true }, poisonHook.keyFile.privateKey);
  expect(sent.status).toBe(202);
  const poisonId = sent.body.deliveryId as string;
  const acceptedBeforePoison = sender.accepted.size;

  // Each time the delivery starts running (its request reaches the upstream), kill the worker holding it, which the
  // job names (`processedBy`: host:pid), and start a replacement so two workers stay up.
  let kills = 0;
  const deadline = Date.now() + 150_000;
  let poison: { status: string; error: { code: string; message: string } | null } | undefined;
  for (;;) {
    poison = (await h.api.get(`/deliveries/${poisonId}`)).body;
    if (poison!.status === 'failed' || poison!.status === 'succeeded') break;
    if (Date.now() > deadline) throw new Error(`the poison delivery did not end: ${JSON.stringify(poison)} after ${kills} kills`);
    if (upstream.requests.length > kills) {
      const holder = await h.redis.client.hget(`{${h.prefix}}:default:${poisonId}`, 'pb');
      const victim = h.liveWorkers().find((w) => w.child.pid === Number(holder?.split(':').pop()));
      expect(victim, `no live worker is ${holder}`).toBeDefined();
      await victim!.stop('SIGKILL');
      kills += 1;
      await h.startWorker();
    }
    await sleep(50);
  }
  const flowedMeanwhile = sender.accepted.size - acceptedBeforePoison;
  sender.finish();
  await sending;

  expect(poison).toMatchObject({ status: 'failed', error: { code: 'worker_crashed' } });
  // It ran (and killed a worker) once per allowed stall, and was not started again after the last one.
  expect(upstream.requests.length).toBe(maxStalls);
  expect(kills).toBe(maxStalls);
  expect(await h.redis.client.hget(`{${h.prefix}}:default:${poisonId}`, 'stc')).toBe(String(maxStalls));
  expect(flowedMeanwhile).toBeGreaterThan(0);

  expect(sender.rejected).toEqual([]);
  await h.waitUntilSettled(sender);
  const stalled = await h.stalledRecoveries();
  const accounting = await h.account(sender, { kills, stalled, 'accepted-while-quarantining': flowedMeanwhile });
  expect(accounting).toMatchObject(everyEventOnce(sender));
});
