/**
 * Baseline 2, what a user writes by hand: express.raw, an HMAC check, JSON.parse and one `queue.add` per request
 * (one Redis round trip each), then 202. It imports BullMQ directly on purpose: it is the thing Hookflow is
 * compared with, not part of Hookflow.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createKeys } from '@hookflow/shared';
import { exitOnConfigError } from '@hookflow/shared/process';
import { loadTargetConfig } from './target-config.js';

const config = exitOnConfigError('bench naive-ingress', () => loadTargetConfig());
if (!config.secret) {
  process.stderr.write('bench naive-ingress: BENCH_SECRET is required\n');
  process.exit(1);
}
const secret = config.secret;
const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
const queue = new Queue(config.queue, { connection, prefix: createKeys(config.prefix).bullPrefix });
queue.on('error', () => {});

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/hooks/:webhookId', express.raw({ type: 'application/json', limit: '1mb' }), async (req, res) => {
  const given = Buffer.from(String(req.headers['x-signature'] ?? ''), 'hex');
  const expected = createHmac('sha256', secret)
    .update(req.body as Buffer)
    .digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    res.status(401).json({ error: 'bad signature' });
    return;
  }
  try {
    const job = await queue.add('webhook', { webhookId: req.params.webhookId, payload: JSON.parse((req.body as Buffer).toString('utf8')) });
    res.status(202).json({ deliveryId: job.id, status: 'queued' });
  } catch {
    res.status(503).json({ error: 'unavailable' });
  }
});
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
const server = app.listen(config.port);
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => {
  server.close(() => void queue.close().finally(() => process.exit(0)));
  server.closeAllConnections();
});
