import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendSigned, waitForDelivery } from '../support/client.js';
import { startFaultHarness, type FaultHarness } from './support/fault-harness.js';
import type { Scenario } from './support/scenario.js';

/**
 * A wait survives every process (API.md §5.5): deliveries wait at a `wait` step, every worker is SIGKILLed and the
 * ingress SIGKILLed and started again; the signal links then still resume them, each once, and they succeed. One
 * signal comes while no worker is up at all: its delivery runs when a worker comes back.
 */
const waitScenario: Scenario = {
  workflow: 'wait-restart',
  setup: async (api) => {
    const put = await api.call('PUT', '/workflows/wait-restart', {
      name: 'wait-restart',
      steps: [
        { id: 'link', type: 'transform', expression: 'signals.approval' },
        { id: 'review', type: 'wait', signal: 'approval', timeoutMs: 600_000 },
        { id: 'after', type: 'transform', expression: "{ 'eventId': payload.eventId, 'answer': steps.review.output }" },
      ],
    });
    if (put.status !== 201) throw new Error(`PUT /workflows/wait-restart: ${put.status} ${JSON.stringify(put.body)}`);
  },
  payload: (eventId, n) => ({ eventId, n }),
  verifyEffects: async () => [],
};
const waiting = 6;
let h: FaultHarness;

beforeAll(async () => {
  h = await startFaultHarness({ name: 'wait-restart', scenario: waitScenario, env: { WORKER_CONCURRENCY: '2' } });
});

afterAll(async () => {
  await h?.teardown();
});

async function postLink(link: string, body: unknown) {
  const res = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

it('signal links still resume waiting deliveries after every worker was SIGKILLed and the ingress restarted', async () => {
  const ids: string[] = [];
  for (let n = 0; n < waiting; n++) {
    const res = await sendSigned(h.endpoint, waitScenario.payload(`event-${n}`, n), h.keyFile.privateKey);
    expect(res.status).toBe(202);
    ids.push(res.body.deliveryId);
  }
  const links: string[] = [];
  for (const id of ids) {
    const delivery = await waitForDelivery(h.api, id, ['waiting'], 60_000);
    links.push((delivery.steps.find((s: { id: string }) => s.id === 'link').output.url as string).replace(/^http:\/\/localhost:\d+/, h.stack.baseUrl));
  }
  // Parked: no worker holds any of them.
  await expect.poll(() => h.activeJobs()).toBe(0);

  for (const worker of h.liveWorkers()) await worker.stop('SIGKILL');
  await h.ingress.stop('SIGKILL');
  await h.restartIngress();

  // No worker is up: the signal is taken, and its delivery waits in the queue for the next worker.
  expect(await postLink(links[0]!, { approved: true, n: 0 })).toMatchObject({ status: 202, body: { deliveryId: ids[0], status: 'resumed' } });
  expect((await h.api.get(`/deliveries/${ids[0]}`)).body.status).toBe('queued');
  await h.startWorker();
  for (let i = 1; i < waiting; i++) expect(await postLink(links[i]!, { approved: i % 2 === 0, n: i })).toMatchObject({ status: 202, body: { deliveryId: ids[i] } });

  for (const [i, id] of ids.entries()) {
    const done = await waitForDelivery(h.api, id, ['succeeded', 'failed'], 60_000);
    expect(done).toMatchObject({ status: 'succeeded', result: { eventId: `event-${i}`, answer: { approved: i % 2 === 0, n: i } } });
    // The run resumed after its checkpoints: the link step ran in the first attempt only, the wait once.
    expect(done.steps.find((s: { id: string }) => s.id === 'link')).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(done.steps.find((s: { id: string }) => s.id === 'review')).toMatchObject({ status: 'succeeded', attempts: 1 });
  }
  // Still one use each, across the restart.
  for (const link of links) expect((await postLink(link, {})).status).toBe(409);
  expect(await h.pendingJobs()).toBe(0);
});
