import express, { type Express } from 'express';
import { FlowKeys, problem } from '@hookflow/shared';
import type { Services } from './services.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHookHandler, hookFastPath, hookRoutes, type HookHandler } from './routes/hooks.js';
import { healthRoutes } from './routes/health.js';
import { adminApiRoutes } from './routes/admin-api.js';
import { createDomain } from './domain/index.js';
import { metricsRoutes } from './routes/metrics.js';
import { openApiRoutes } from './routes/openapi.js';
import { queueDashboardRoutes } from './routes/queue-dashboard.js';
import { countIngestOutcome } from './metrics/count-ingest-outcome.js';
import { consoleRoutes } from './routes/console.js';
import { signalLinkRoutes } from './routes/signals.js';
import { requireAdmin } from './http/admin-auth.js';
import { ConsoleSessions } from './http/console-sessions.js';
import { consoleSessionRole, loadConsoleSession } from './http/console-session-auth.js';
import { errorHandler, rejectDeepJson } from './http/error-handler.js';
import { refuseForeignCharset, securityHeaders } from './http/security-headers.js';
import { sendProblem } from './http/send-problem.js';
import { createRateLimiter } from './ingest/rate-limiter.js';
import { Deduper } from './ingest/deduper.js';
import { ingestLogSampler } from './ingest/ingest-log-sampler.js';

/** The `/hooks` handler with everything the ingest path uses. Build it once per process (it starts the backlog monitor). */
function hookHandlerFor(services: Services): HookHandler {
  const sampleLog = ingestLogSampler(services.log, services.config.logSampleEvery);
  return createHookHandler(
    {
      cache: services.cache,
      enqueuer: services.enqueuer,
      now: services.now,
      onStoreFailure: (err) => services.log.warn({ err: (err as Error).message }, 'could not store a delivery; answered 503'),
      validateInput: (workflow, payload) => services.inputValidator.validate(workflow, payload),
      workflowRetry: (workflow) => services.catalog.retryPolicy(workflow),
      workflowFlow: (workflow) => services.catalog.flowControl(workflow),
      flowKeys: new FlowKeys(services.keys),
      rateLimit: createRateLimiter(services.redis, services.keys),
      dedupe: new Deduper(services.redis, services.keys),
      backlog: services.backlog.start(),
      canonicalMaxBytes: services.config.canonicalMaxBytes,
    },
    (webhookId, result) => {
      // The scheme comes from what the request just used, still in the webhook cache (no lookup, no Redis read).
      countIngestOutcome(services.metrics, services.cache.peek(webhookId)?.webhook.scheme ?? 'unknown', result);
      sampleLog(webhookId, result);
    },
  );
}

/** What the ingress's HTTP server runs: plain `POST /hooks/<id>` straight to the handler, the rest through Express. */
export function createRequestListener(services: Services): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = hookHandlerFor(services);
  return hookFastPath(handle, createApp(services, handle), errorHandler(services.log));
}

/**
 * Assembles the Express app. Its `/hooks` route comes first, carries no body parser or logging, and shares
 * `handleHook` with the server's fast path (see `createRequestListener`).
 */
export function createApp(services: Services, handleHook: HookHandler): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(hookRoutes(handleHook));
  app.use(securityHeaders);
  app.use(healthRoutes(services.redis));
  app.use(metricsRoutes(services.metrics.registry));
  const domain = createDomain(services);
  const adminApi = adminApiRoutes(domain);
  app.use(openApiRoutes(adminApi));
  app.use(signalLinkRoutes(domain.signals));

  const adminTokens = { admin: services.config.adminToken, readonly: services.config.readonlyToken };
  // The console's session cookie opens the API (writes need its x-csrf-token) and the dashboard (same-origin writes).
  const sessions = new ConsoleSessions(services.redis, services.keys, services.now);
  const withSession = { authenticators: [consoleSessionRole] };
  app.use(consoleRoutes({ tokens: adminTokens, sessions, secureCookies: services.config.publicUrl.startsWith('https://') }));
  app.use(
    '/admin/queues',
    loadConsoleSession(sessions, 'same-origin'),
    requireAdmin(adminTokens, { basic: true, ...withSession }),
    queueDashboardRoutes({ queues: services.queues, overview: services.queueOverview, basePath: '/admin/queues' }),
  );

  const api = express.Router();
  api.use(loadConsoleSession(sessions, 'token'));
  api.use(requireAdmin(adminTokens, withSession));
  api.use(refuseForeignCharset);
  api.use(express.json({ limit: '1mb', strict: true, verify: rejectDeepJson }));
  for (const routes of adminApi) api.use(routes);
  api.use((req, res) => sendProblem(res, problem('not_found', `no such endpoint: ${req.method} /api/v1${req.path}`)));
  app.use('/api/v1', api);

  app.use((req, res) => sendProblem(res, problem('not_found', `no such endpoint: ${req.method} ${req.path}`)));
  app.use(errorHandler(services.log));
  return app;
}
