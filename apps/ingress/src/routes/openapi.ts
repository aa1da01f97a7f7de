import { Router } from 'express';
import { buildOpenApiDocument } from '../api/openapi.js';

/** `/api/v1/openapi.json`, public (it describes the API, it holds no data); built once, on first request. */
export function openApiRoutes(): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/api/v1/openapi.json', (_req, res) => {
    document ??= JSON.stringify(buildOpenApiDocument());
    res.type('application/json').send(document);
  });
  return router;
}
