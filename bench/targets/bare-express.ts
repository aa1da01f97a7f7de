/**
 * Baseline 1, the framework's ceiling: Express 5 on the same route shape answering 202 with a body of the same
 * shape as Hookflow's, doing nothing else (no body read, no verification, no Redis).
 */
import express from 'express';
import { exitOnConfigError } from '@hookflow/shared/process';
import { loadTargetConfig } from './target-config.js';

const config = exitOnConfigError('bench bare-express', () => loadTargetConfig());
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/hooks/:webhookId', (_req, res) => {
  res.status(202).json({ deliveryId: 'dlv_00000000000000000000000000', status: 'queued' });
});
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
const server = app.listen(config.port);
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
