import express, { type Express } from 'express';
import { problem } from '@hookflow/shared';
import type { Services } from './services.js';
import { hookRoutes } from './routes/hooks.js';
import { healthRoutes } from './routes/health.js';
import { agentRoutes } from './routes/agents.js';
import { webhookRoutes } from './routes/webhooks.js';
import { keyRoutes } from './routes/keys.js';
import { workflowRoutes } from './routes/workflows.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { consoleRoutes } from './routes/console.js';
import { testEventRoutes } from './routes/test-events.js';
import { requireAdmin, type AdminAuthOptions } from './http/admin-auth.js';
import { ConsoleSessions } from './http/console-sessions.js';
import { errorHandler } from './http/error-handler.js';
import { sendProblem } from './http/send-problem.js';

/** Assembles the HTTP surface. The public `/hooks` route comes first and carries no body parser or logging. */
export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(
    hookRoutes({
      cache: services.cache,
      enqueuer: services.enqueuer,
      now: services.now,
      onStoreFailure: (err) => services.log.warn({ err: (err as Error).message }, 'could not store a delivery; answered 503'),
    }),
  );
  app.use(healthRoutes(services.redis));

  // Bearer token or console session (the latter with CSRF on writes); `requireAdminPage(auth)` guards admin pages.
  const auth = {
    admin: services.config.adminToken,
    readonly: services.config.readonlyToken,
    sessions: new ConsoleSessions(services.redis, services.keys, services.now),
  } satisfies AdminAuthOptions;
  app.use(consoleRoutes({ auth, secureCookies: services.config.publicUrl.startsWith('https://') }));

  const api = express.Router();
  api.use(requireAdmin(auth));
  api.use(express.json({ limit: '1mb', strict: true }));
  for (const routes of [agentRoutes, webhookRoutes, keyRoutes, workflowRoutes, deliveryRoutes, testEventRoutes]) api.use(routes(services));
  api.use((req, res) => sendProblem(res, problem('not_found', `no such endpoint: ${req.method} /api/v1${req.path}`)));
  app.use('/api/v1', api);

  app.use((req, res) => sendProblem(res, problem('not_found', `no such endpoint: ${req.method} ${req.path}`)));
  app.use(errorHandler(services.log));
  return app;
}
