/**
 * A/B of two checkouts' ingress, for measuring one hot-path change: `npx tsx bench/ab.ts <dir A> [<dir B = this repo>]`.
 * Both ingress processes run at once on one Redis prefix and one webhook; rounds alternate A, B, A, B (medians), so
 * a neighbour's burst on a shared machine hits both alike. Reports req/s, p50, p99 and the server's CPU µs/request.
 */
import type { ChildProcess } from 'node:child_process';
import { adminClient } from '../test/support/client.js';
import { startStack } from '../test/support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../test/support/redis.js';
import { benchPayload } from './payload.js';
import { runLoad, type LoadResult } from './load.js';
import { medianOrNull } from './stats.js';
import { abArguments } from './ab-arguments.js';
import { startCheckoutBundle } from './checkout-bundle.js';

const { dirA, dirB, rounds, seconds } = abArguments('ab.ts', 'seconds per round', { rounds: 5, seconds: 4 });
const prefix = testPrefix('bench-ab');
const redis = testRedis();
const stack = await startStack({ prefix, worker: false });
// Stopped in the finally below, so a round that throws leaves no ingress process or Redis keys behind.
const children: ChildProcess[] = [];

async function ingressFrom(dir: string, webhookId: string) {
  const { child, port, pid } = await startCheckoutBundle(dir, 'ingress', 'PORT', { ...stack.env, HOOKFLOW_MAX_BACKLOG: '0' });
  children.push(child);
  return { url: `http://127.0.0.1:${port}/hooks/${webhookId}`, pid, redisPid: null };
}

try {
  const api = adminClient(stack.baseUrl, stack.adminToken);
  const { webhookId, keyFile } = await api.setupWebhook('echo');
  const payload = benchPayload(keyFile.privateKey);
  const sides = [
    { name: 'A' as const, target: { ...(await ingressFrom(dirA, webhookId)), ...payload } },
    { name: 'B' as const, target: { ...(await ingressFrom(dirB, webhookId)), ...payload } },
  ];
  const results: Record<'A' | 'B', LoadResult[]> = { A: [], B: [] };
  for (const side of sides) await runLoad(side.target, { connections: 50, seconds: 2 });
  for (let round = 0; round < rounds; round++) {
    for (const { name, target } of sides) {
      const result = await runLoad(target, { connections: 50, seconds });
      results[name].push(result);
      process.stdout.write(
        `${name} ${Math.round(result.reqPerSec)} req/s p50 ${result.p50Ms} p99 ${result.p99Ms} cpu ${result.cpuUsPerReq} µs/req non2xx ${result.non2xx}\n`,
      );
    }
  }
  for (const name of ['A', 'B'] as const) {
    const r = results[name];
    const m = (f: (x: LoadResult) => number | null) => medianOrNull(r.map(f));
    process.stdout.write(
      `${name} median: ${Math.round(m((x) => x.reqPerSec) ?? Number.NaN)} req/s, p50 ${m((x) => x.p50Ms)} ms, p99 ${m((x) => x.p99Ms)} ms, cpu ${m((x) => x.cpuUsPerReq)} µs/req\n`,
    );
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await stack.stop();
  await cleanupPrefix(redis, prefix);
  redis.disconnect();
}
