import { beforeAll, describe, expect, it } from 'vitest';
import { sendSigned, waitForDelivery } from '../support/client.js';
import { useStack } from '../support/use-stack.js';

// The real ingress and worker, as built (the worker's run threads load dist/run-thread.js). A small run heap cap
// makes the blow-up quick; two job slots (two run threads) mean an attack holds one thread while the other keeps
// serving the echo webhook.
const memoryMb = 128;
const ctx = useStack('run-containment', { built: true, env: { HOOKFLOW_RUN_MEMORY_MB: String(memoryMb), WORKER_CONCURRENCY: '2' } });

interface Hook {
  send: (payload: unknown) => Promise<string>;
}
let echo: Hook;

/** A webhook bound to a one-transform definition, one attempt, with `timeoutMs` when given. */
async function attackHook(name: string, expression: string, timeoutMs?: number): Promise<Hook> {
  const put = await ctx.api.call('PUT', `/workflows/${name}`, { name, steps: [{ id: 'attack', type: 'transform', expression }] });
  expect(put.status).toBe(201);
  return hook(name, { attempts: 1, ...(timeoutMs ? { timeoutMs } : {}) });
}

async function hook(workflow: string, options: Record<string, unknown>): Promise<Hook> {
  const setup = await ctx.api.setupWebhook(workflow, { options });
  return {
    send: async (payload) => {
      const answer = await sendSigned(setup.webhook.endpoint, payload, setup.keyFile.privateKey);
      expect(answer.status).toBe(202);
      return answer.body.deliveryId as string;
    },
  };
}

beforeAll(async () => {
  echo = await hook('echo', { attempts: 1 });
});

/**
 * Sends echo deliveries one after another until `attack` settles, then checks every one succeeded: the other
 * webhook's traffic flows during the attack, not only after it.
 */
async function whileUnderAttack<T>(attack: Promise<T>): Promise<T> {
  let settled = false;
  void attack.finally(() => (settled = true)).catch(() => {});
  const sent: string[] = [];
  do {
    sent.push(await echo.send({ n: sent.length }));
    const delivery = await waitForDelivery(ctx.api, sent.at(-1)!, ['succeeded', 'failed'], 60_000);
    expect(delivery).toMatchObject({ status: 'succeeded', result: { n: sent.length - 1 } });
  } while (!settled);
  expect(sent.length).toBeGreaterThan(0);
  return attack;
}

async function workerStillUp(pid: number | undefined): Promise<void> {
  expect(ctx.stack.worker!.child.pid).toBe(pid);
  expect(ctx.stack.worker!.child.exitCode).toBeNull();
  expect((await fetch(`http://127.0.0.1:${ctx.stack.workerPort}/healthz`)).status).toBe(200);
  expect(ctx.stack.worker!.output().match(/"worker started"/g)).toHaveLength(1);
}

describe('a hostile event cannot take the worker down (API.md 5.3)', () => {
  it('a padded string of half a billion characters fails resource_exhausted, not retried', async () => {
    const pid = ctx.stack.worker!.child.pid;
    const pad = await attackHook('pad-bomb', '$length($pad("", payload.n))');
    const id = await pad.send({ n: 500_000_000 });
    const delivery = await whileUnderAttack(waitForDelivery(ctx.api, id, ['succeeded', 'failed'], 120_000));
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'resource_exhausted' } });
    await workerStillUp(pid);
  });

  it('a run over its heap cap ends its thread and fails resource_exhausted', async () => {
    const pid = ctx.stack.worker!.child.pid;
    const grow = await attackHook(
      'heap-bomb',
      '($grow := function($n){ $n > 0 ? [$grow($n - 1), $grow($n - 1)] : [payload.s] }; $count($grow(payload.depth)))',
    );
    const id = await grow.send({ depth: 26, s: 'x' });
    const delivery = await whileUnderAttack(waitForDelivery(ctx.api, id, ['succeeded', 'failed'], 120_000));
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'resource_exhausted', message: expect.stringContaining(`${memoryMb} MB`) },
    });
    // The step the thread died in records how the run ended, rather than staying `running`.
    expect(delivery.steps).toMatchObject([{ status: 'failed', error: { code: 'resource_exhausted' } }]);
    await workerStillUp(pid);
  });

  it('a catastrophic regex is stopped at the run timeoutMs and fails timeout', async () => {
    const pid = ctx.stack.worker!.child.pid;
    const regex = await attackHook('regex-bomb', '$match(payload.s, /^(a+)+$/)', 2_000);
    const id = await regex.send({ s: `${'a'.repeat(28)}!` });
    const delivery = await whileUnderAttack(waitForDelivery(ctx.api, id, ['succeeded', 'failed'], 120_000));
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'timeout', message: expect.stringContaining('timeoutMs of 2000') },
    });
    expect(delivery.steps).toMatchObject([{ status: 'failed', error: { code: 'timeout' } }]);
    await workerStillUp(pid);
  });

  it('a $map over two million items ends at its timeout or its heap cap', async () => {
    const pid = ctx.stack.worker!.child.pid;
    const map = await attackHook('map-bomb', '$count($map([1..payload.n], function($v){ { "v": $v, "s": "x" & $v } }))', 3_000);
    const id = await map.send({ n: 2_000_000 });
    const delivery = await whileUnderAttack(waitForDelivery(ctx.api, id, ['succeeded', 'failed'], 120_000));
    expect(delivery.status).toBe('failed');
    expect(['timeout', 'resource_exhausted']).toContain(delivery.error.code);
    await workerStillUp(pid);
  });
});
