/**
 * A/B of two checkouts' ingress, for measuring one hot-path change: `npx tsx bench/ab.ts <dir A> [<dir B = this repo>]`.
 * Both ingress processes run at once on one Redis prefix and one webhook; rounds alternate A, B, A, B (medians), so
 * a neighbour's burst on a shared machine hits both alike. Reports req/s, p50, p99 and the server's CPU µs/request.
 */
import { adminClient } from '../test/support/client.js';
import { startStack } from '../test/support/processes.js';
import { cleanupPrefix, testPrefix, testRedis } from '../test/support/redis.js';
import { benchPayload } from './payload.js';
import { runLoad, type LoadResult } from './load.js';
import { median } from './stats.js';
import { abArguments } from './ab-arguments.js';
import { startCheckoutBundle } from './checkout-bundle.js';

const { dirA, dirB, rounds, seconds } = abArguments('ab.ts', 'seconds per round', { rounds: 5, seconds: 4 });
const prefix = testPrefix('bench-ab');
const stack = await startStack({ prefix, worker: false });
const api = adminClient(stack.baseUrl, stack.adminToken);
const { webhookId, keyFile } = await api.setupWebhook('echo');
const payload = benchPayload(keyFile.privateKey);

async function ingressFrom(dir: string) {
  const { child, port, pid } = await startCheckoutBundle(dir, 'ingress', 'PORT', { ...stack.env, HOOKFLOW_MAX_BACKLOG: '0' });
  return { child, target: { url: `http://127.0.0.1:${port}/hooks/${webhookId}`, pid, redisPid: null, ...payload } };
}
const a = await ingressFrom(dirA);
const b = await ingressFrom(dirB);
const results: Record<'A' | 'B', LoadResult[]> = { A: [], B: [] };
for (const [name, side] of [['A', a], ['B', b]] as const) await runLoad(side.target, { connections: 50, seconds: 2 });
for (let round = 0; round < rounds; round++) {
  for (const [name, side] of [['A', a], ['B', b]] as const) {
    const result = await runLoad(side.target, { connections: 50, seconds });
    results[name].push(result);
    process.stdout.write(`${name} ${Math.round(result.reqPerSec)} req/s p50 ${result.p50Ms} p99 ${result.p99Ms} cpu ${result.cpuUsPerReq} µs/req non2xx ${result.non2xx}\n`);
  }
}
for (const name of ['A', 'B'] as const) {
  const r = results[name];
  const m = (f: (x: LoadResult) => number | null) => median(r.map(f).filter((v): v is number => v !== null));
  process.stdout.write(`${name} median: ${Math.round(m((x) => x.reqPerSec))} req/s, p50 ${m((x) => x.p50Ms)} ms, p99 ${m((x) => x.p99Ms)} ms, cpu ${m((x) => x.cpuUsPerReq)} µs/req\n`);
}
a.child.kill('SIGTERM');
b.child.kill('SIGTERM');
await stack.stop();
const redis = testRedis();
await cleanupPrefix(redis, prefix);
redis.disconnect();
