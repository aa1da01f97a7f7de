import { Router } from 'express';
import type { OperationDoc } from '../api/operation.js';
import { buildOpenApiDocument } from '../api/openapi.js';
import { consoleOperations } from './console.js';
import { adminOperations, type EndpointRouter } from './endpoint.js';
import { healthOperations } from './health.js';
import { hookOperations } from './hooks.js';
import { metricsOperations } from './metrics.js';
import { queueDashboardOperations } from './queue-dashboard.js';
import { signalLinkOperations } from './signals.js';

const openApiOperations: OperationDoc[] = [
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This document',
    tag: 'meta',
    ok: { status: 200, description: 'OpenAPI 3.1' },
    problems: [],
  },
];

/** Every operation the ingress serves, each declared by the route module that serves it; the admin API as mounted. */
export function documentedOperations(adminApi: readonly EndpointRouter[]): OperationDoc[] {
  return [
    ...hookOperations,
    ...signalLinkOperations,
    ...healthOperations,
    ...metricsOperations,
    ...openApiOperations,
    ...adminApi.flatMap((routes) => adminOperations(routes.endpoints)),
    ...consoleOperations,
    ...queueDashboardOperations,
  ];
}

/** `/api/v1/openapi.json`, public (it describes the API, it holds no data); built once, on first request. */
export function openApiRoutes(adminApi: readonly EndpointRouter[]): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/api/v1/openapi.json', (_req, res) => {
    document ??= JSON.stringify(buildOpenApiDocument(documentedOperations(adminApi)));
    res.type('application/json').send(document);
  });
  return router;
}
