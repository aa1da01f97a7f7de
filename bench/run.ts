/**
 * `npm run bench`: Hookflow's ingress against bare Express 5 and a hand-written naive handler (alternating rounds,
 * medians), the end-to-end pipeline against a no-op BullMQ worker, ingress RSS, and an accounting check that every
 * 202 became a `succeeded` delivery. Everything runs as separate processes on one Redis under a throwaway prefix.
 * Prints a table, writes bench/results.json, exits 1 if any acknowledged delivery was lost.
 */
import { createKeys, createRedis, waitUntilReady } from '@hookflow/shared';
import { exitOnConfigError } from '@hookflow/shared/process';
import { cleanupPrefix, testPrefix, testRedis } from '../test/support/redis.js';
import { loadBenchConfig } from './config.js';
import { bench } from './measure.js';
import { report } from './report.js';
import { say } from './stats.js';

const config = exitOnConfigError('bench', () => loadBenchConfig());
// Fail fast, in one line, when Redis is not there (the harness's own connections would wait for it forever).
const probe = createRedis(config.redisUrl, 'producer');
try {
  await waitUntilReady(probe, config.redisUrl, 3_000);
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
} finally {
  probe.disconnect();
}
const prefix = testPrefix('bench');
const keys = createKeys(prefix);
const stop: (() => Promise<unknown>)[] = [];
const startedAt = new Date();
let ok = false;
try {
  ok = report(config, await bench(config, prefix, keys, stop), startedAt);
  if (!ok) say('bench: FAILED, acknowledged deliveries were lost');
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
} finally {
  for (const fn of stop.reverse()) await fn().catch(() => {});
  const redis = testRedis(config.redisUrl);
  await cleanupPrefix(redis, prefix).catch((err: Error) => process.stderr.write(`bench: cleanup of ${prefix} failed: ${err.message}\n`));
  redis.disconnect();
}
process.exit(ok ? 0 : 1);
