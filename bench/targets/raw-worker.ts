/**
 * The pipeline baseline: a bare BullMQ worker whose processor does nothing, with the same concurrency and job
 * options as Hookflow's worker, on the same Redis. It serves `/healthz` on PORT so the bench knows it is up.
 */
import { createServer } from 'node:http';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createKeys } from '@hookflow/shared';
import { exitOnConfigError } from '@hookflow/shared/process';
import { loadTargetConfig } from './target-config.js';

const config = exitOnConfigError('bench raw-worker', () => loadTargetConfig());
const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const worker = new Worker(config.queue, async () => {}, {
  connection,
  prefix: createKeys(config.prefix).bullPrefix,
  concurrency: config.concurrency,
});
worker.on('error', () => {});
const health = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}'));
health.listen(config.port);
process.on('SIGTERM', () => {
  health.close();
  void worker.close().finally(() => process.exit(0));
});
