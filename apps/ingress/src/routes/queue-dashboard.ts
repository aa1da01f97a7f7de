import { Router, type Express, type RequestHandler } from 'express';
import type { QueueSet } from '@hookflow/shared';
import type { QueueOverview } from '../queues/queue-overview.js';
import type { OperationDoc } from '../api/operation.js';

export const queueDashboardOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/admin/queues',
    summary: 'Queue dashboard (Bull Board); bearer token, Basic with the token as password, or the console session',
    tag: 'queues',
    admin: true,
    ok: { status: 200, description: 'HTML page', contentType: 'text/html' },
    problems: [],
  },
];

/** How long the dashboard trusts its list of queue names before reading the registry again. */
const refreshMs = 10_000;

/**
 * Bull Board at `basePath`. Authentication is the caller's (it mounts an admin guard first). Bull Board is loaded
 * on the first request, not at start (it is a large import and most processes never serve it). Queues are added as
 * they appear: a webhook given a new `queue` option shows up within `refreshMs`, or at once when asked for by name.
 */
export function queueDashboardRoutes({
  queues,
  overview,
  basePath,
}: {
  queues: QueueSet;
  overview: QueueOverview;
  basePath: string;
}): Router {
  const load = async () => {
    const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
      import('@bull-board/api'),
      import('@bull-board/api/bullMQAdapter'),
      import('@bull-board/express'),
    ]);
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(basePath);
    const { addQueue } = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'Hookflow queues' } } });
    const shown = new Set<string>();
    // Bull Board runs its own Express app, which would announce itself (X-Powered-By) on every response.
    const app = serverAdapter.getRouter() as Express;
    app.disable('x-powered-by');
    return {
      handler: app as RequestHandler,
      shown,
      refresh: (names: string[]) => {
        for (const name of names) {
          if (shown.has(name)) continue;
          shown.add(name);
          addQueue(new BullMQAdapter(queues.get(name)));
        }
      },
    };
  };

  let board: ReturnType<typeof load> | undefined;
  let checkedAt = 0;
  const router = Router();
  router.use(async (req, res, next) => {
    const loaded = await (board ??= load().catch((err: unknown) => {
      board = undefined; // try again on the next request
      throw err;
    }));
    const named = /^\/api\/queues\/([^/]+)/.exec(req.path)?.[1];
    if (Date.now() - checkedAt > refreshMs || (named !== undefined && !loaded.shown.has(decodeURIComponent(named)))) {
      checkedAt = Date.now();
      loaded.refresh(await overview.names());
    }
    loaded.handler(req, res, next);
  });
  return router;
}
