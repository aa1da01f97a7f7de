import { Router } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { QueueSet } from '@hookflow/shared';
import type { QueueOverview } from '../queues/queue-overview.js';

/** How long the dashboard trusts its list of queue names before reading the registry again. */
const refreshMs = 10_000;

/**
 * Bull Board at `basePath`. Authentication is the caller's (it mounts an admin guard first). Queues are added as
 * they appear (a webhook given a new `queue` option shows up within `refreshMs`, or at once when asked for by name).
 */
export function queueDashboardRoutes({ queues, overview, basePath }: { queues: QueueSet; overview: QueueOverview; basePath: string }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'Hookflow queues' } } });
  const shown = new Set<string>();
  let checkedAt = 0;

  const router = Router();
  router.use(async (req, _res, next) => {
    // Refresh when stale, or at once when the request names a queue not shown yet (a link to a new queue works).
    const named = /^\/api\/queues\/([^/]+)/.exec(req.path)?.[1];
    if (Date.now() - checkedAt > refreshMs || (named !== undefined && !shown.has(decodeURIComponent(named)))) {
      checkedAt = Date.now();
      for (const name of await overview.names()) {
        if (shown.has(name)) continue;
        shown.add(name);
        board.addQueue(new BullMQAdapter(queues.get(name)));
      }
    }
    next();
  });
  router.use(serverAdapter.getRouter());
  return router;
}
