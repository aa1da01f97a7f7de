/**
 * A/B of two checkouts' worker, for measuring one worker change: `npx tsx bench/ab-worker.ts <dir A> [<dir B = this
 * repo>] [rounds = 4] [fill seconds = 6]`. Both workers take `echo` deliveries from one queue at once, while the
 * ingress is loaded for the fill seconds and until they drained it: they run side by side, so a neighbour's burst
 * on a shared machine hits both alike (drains timed one after the other moved by a third on their own). Reports
 * each worker's CPU µs per delivery, from /proc and its own deliveries counter in /metrics, per round after a
 * warm-up round. Redis's CPU cannot be split between the two.
 */
import type { ChildProcess } from 'node:child_process';
import { createKeys, QueueSet, webhookDefaults } from '@hookflow/shared';
import { adminClient } from '../test/support/client.js';
import { startStack } from '../test/support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../test/support/redis.js';
import { benchPayload } from './payload.js';
import { runLoad } from './load.js';
import { cpuTimeMs, cpuUsPer } from './proc-stats.js';
import { waitForDrain } from './queue-drain.js';
import { median } from './stats.js';
import { abArguments } from './ab-arguments.js';
import { startCheckoutBundle } from './checkout-bundle.js';

const { dirA, dirB, rounds, seconds: fillSeconds } = abArguments('ab-worker.ts', 'fill seconds', { rounds: 4, seconds: 6 });
const prefix = testPrefix('bench-ab-worker');
const redis = testRedis();
const queues = new QueueSet(redis, createKeys(prefix));
const stack = await startStack({ prefix, worker: false, built: true, env: { HOOKFLOW_MAX_BACKLOG: '0' } });
const children: ChildProcess[] = [];

/** The deliveries a worker has run, summed over its workflows and outcomes. */
async function deliveriesRun(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('hookflow_worker_deliveries_total{'))
    .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function workerFrom(dir: string) {
  const worker = await startCheckoutBundle(dir, 'worker', 'WORKER_PORT', { ...stack.env, WORKER_CONCURRENCY: '10' });
  children.push(worker.child);
  return worker;
}

try {
  const api = adminClient(stack.baseUrl, stack.adminToken);
  const { webhookId, keyFile } = await api.setupWebhook('echo');
  const target = { url: `${stack.baseUrl}/hooks/${webhookId}`, pid: null, redisPid: null, ...benchPayload(keyFile.privateKey) };
  const queue = queues.get(webhookDefaults.queue);
  const results: Record<'A' | 'B', number[]> = { A: [], B: [] };
  const sides = [
    { name: 'A' as const, ...(await workerFrom(dirA)) },
    { name: 'B' as const, ...(await workerFrom(dirB)) },
  ];
  const readings = () => Promise.all(sides.map(async (s) => ({ cpu: cpuTimeMs(s.pid), run: await deliveriesRun(s.port) })));
  // Round 0 warms both workers up (JIT, connections) and is not counted.
  for (let round = 0; round <= rounds; round++) {
    const before = await readings();
    const { accepted } = await runLoad(target, { connections: 50, seconds: fillSeconds });
    if (!(await waitForDrain(queue, 600_000))) throw new Error('the workers did not drain the queue within 10 minutes');
    const after = await readings();
    const line = sides.map((side, i) => {
      const run = after[i]!.run - before[i]!.run;
      const cpuUs = cpuUsPer(before[i]!.cpu, after[i]!.cpu, run);
      if (cpuUs !== null && round > 0) results[side.name].push(cpuUs);
      return `${side.name} ${run} deliveries, cpu ${cpuUs ?? 'n/a'} µs/delivery`;
    });
    process.stdout.write(`${round === 0 ? 'warm-up' : `round ${round}`}: ${accepted} stored; ${line.join('; ')}\n`);
  }
  for (const name of ['A', 'B'] as const)
    process.stdout.write(`${name} median: cpu ${median(results[name])} µs/delivery [${results[name].join(', ')}]\n`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await stack.stop();
  await queues.close();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
}
