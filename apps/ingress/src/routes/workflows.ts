import { z } from 'zod';
import { workflowDefinitionSchema } from '@hookflow/shared';
import { listResponse, timestamp } from '../api/schemas.js';
import type { WorkflowService } from '../domain/workflows.js';
import { Answer, defineEndpoints, mountEndpoints } from './endpoint.js';

const workflowSummary = z.object({
  name: z.string(),
  description: z.string(),
  source: z.enum(['builtin', 'definition']),
  version: z.number().int(),
});

export const workflowSummaryResponse = workflowSummary.meta({ id: 'WorkflowSummary' });

export const workflowResponse = workflowSummary
  .extend({
    updatedAt: timestamp.optional(),
    definition: workflowDefinitionSchema.optional().describe('the stored definition (absent for a built-in)'),
  })
  .meta({ id: 'Workflow' });

export const workflowEndpoints = defineEndpoints({
  list: {
    method: 'get',
    path: '/workflows',
    summary: 'List workflows',
    tag: 'workflows',
    ok: { status: 200, description: 'workflows', schema: listResponse(workflowSummaryResponse) },
    problems: [],
  },
  put: {
    method: 'put',
    path: '/workflows/{name}',
    summary: 'Create or version a workflow definition',
    tag: 'workflows',
    // The name comes from the path; a body may repeat it, but not contradict it (the service checks they agree).
    body: { schema: workflowDefinitionSchema, what: 'workflow definition', fromPath: ['name'] },
    ok: { status: 201, description: 'created', schema: workflowResponse },
    also: [{ status: 200, description: 'a new version of an existing workflow', schema: workflowResponse }],
    problems: [400],
  },
  get: {
    method: 'get',
    path: '/workflows/{name}',
    summary: 'Get a workflow',
    tag: 'workflows',
    ok: { status: 200, description: 'the workflow', schema: workflowResponse },
    problems: [404],
  },
  delete: {
    method: 'delete',
    path: '/workflows/{name}',
    summary: 'Delete a workflow',
    tag: 'workflows',
    ok: { status: 204, description: 'deleted' },
    problems: [400, 404, 409],
  },
});

export function workflowRoutes({ workflows }: { workflows: WorkflowService }) {
  return mountEndpoints(workflowEndpoints, {
    list: async () => ({ items: await workflows.list(), nextCursor: null }),
    put: async ({ params, body }) => {
      const { created, detail } = await workflows.put(params.name, body);
      return created ? detail : new Answer(200, detail);
    },
    get: ({ params }) => workflows.get(params.name),
    delete: ({ params }) => workflows.delete(params.name),
  });
}
