import { Router } from 'express';
import { checkDefinition, findBuiltin, ProblemError, workflowDefinitionSchema } from '@hookflow/shared';
import type { Services } from '../services.js';
import { validate } from '../http/validate.js';

export function workflowRoutes({ workflows }: Services): Router {
  const router = Router();
  router.get('/workflows', async (_req, res) => {
    res.json({ items: await workflows.list(), nextCursor: null });
  });

  router.get('/workflows/:name', async (req, res) => {
    res.json(await workflows.get(req.params.name));
  });

  router.put('/workflows/:name', async (req, res) => {
    const { name } = req.params;
    const body: unknown = req.body;
    // The name comes from the path; a body may repeat it, but not contradict it.
    const withName = body !== null && typeof body === 'object' && !Array.isArray(body) && !('name' in body) ? { ...body, name } : body;
    const definition = validate(workflowDefinitionSchema, withName, 'workflow definition');
    if (definition.name !== name) invalid('name', `must match the name in the path (${name})`);
    if (findBuiltin(name)) invalid('name', 'is a built-in workflow');
    const problems = checkDefinition(definition);
    if (problems.length > 0) {
      throw new ProblemError('invalid_request', `the workflow definition is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { errors: problems });
    }
    const { created, detail } = await workflows.put(definition);
    res.status(created ? 201 : 200).json(detail);
  });

  router.delete('/workflows/:name', async (req, res) => {
    await workflows.delete(req.params.name);
    res.status(204).end();
  });
  return router;
}

function invalid(path: string, message: string): never {
  throw new ProblemError('invalid_request', `the workflow definition is invalid: ${path}: ${message}`, { errors: [{ path, message }] });
}
