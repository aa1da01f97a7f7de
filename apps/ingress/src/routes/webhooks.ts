import { z } from 'zod';
import { schemeNames, webhookOptionsSchema, webhookStatuses } from '@hookflow/shared';
import { listQuery, listResponse, timestamp } from '../api/schemas.js';
import type { WebhookService } from '../domain/webhooks.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';

const schemeField = z.string().refine((name) => schemeNames().includes(name), { message: `must be one of the supported schemes` });
const workflowName = z.string().min(1, 'must not be empty').max(100);

export const createWebhookBody = z
  .object({
    workflow: workflowName,
    name: z.string().trim().min(1).max(100).optional(),
    scheme: schemeField.optional(),
    options: webhookOptionsSchema.optional(),
  })
  .strict();

export const updateWebhookBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    workflow: workflowName.optional(),
    status: z.enum(webhookStatuses).optional(),
    options: webhookOptionsSchema.optional(),
  })
  .strict();

export const webhookResponse = z
  .object({
    id: z.string(),
    agentId: z.string(),
    name: z.string(),
    workflow: z.string(),
    scheme: z.string(),
    status: z.enum(webhookStatuses),
    endpoint: z.string(),
    keys: z.array(z.object({ id: z.string(), primary: z.boolean(), createdAt: timestamp, expiresAt: timestamp.nullable() })),
    options: webhookOptionsSchema,
    createdAt: timestamp,
  })
  .meta({ id: 'Webhook' });

export const webhookEndpoints = defineEndpoints({
  create: {
    method: 'post',
    path: '/agents/{agentId}/webhooks',
    summary: 'Create a webhook for an agent',
    tag: 'webhooks',
    body: { schema: createWebhookBody },
    ok: { status: 201, description: 'created', schema: webhookResponse },
    problems: [400, 404, 409, 422],
  },
  list: {
    method: 'get',
    path: '/agents/{agentId}/webhooks',
    summary: "List an agent's webhooks, oldest first",
    tag: 'webhooks',
    query: listQuery,
    ok: { status: 200, description: 'a page of webhooks', schema: listResponse(webhookResponse) },
    problems: [400, 404],
  },
  get: {
    method: 'get',
    path: '/webhooks/{webhookId}',
    summary: 'Get a webhook',
    tag: 'webhooks',
    ok: { status: 200, description: 'the webhook', schema: webhookResponse },
    problems: [404],
  },
  update: {
    method: 'patch',
    path: '/webhooks/{webhookId}',
    summary: 'Change a webhook (paused holds deliveries; enabled releases them in arrival order)',
    tag: 'webhooks',
    body: { schema: updateWebhookBody },
    ok: { status: 200, description: 'the changed webhook', schema: webhookResponse },
    problems: [400, 404, 422],
  },
  delete: {
    method: 'delete',
    path: '/webhooks/{webhookId}',
    summary: 'Delete a webhook',
    tag: 'webhooks',
    ok: { status: 204, description: 'deleted' },
    problems: [404],
  },
});

export function webhookRoutes({ webhooks }: { webhooks: WebhookService }) {
  return mountEndpoints(webhookEndpoints, {
    create: ({ params, body }) => webhooks.create(params.agentId, body),
    list: ({ params, query }) => webhooks.list(params.agentId, query),
    get: ({ params }) => webhooks.get(params.webhookId),
    update: ({ params, body }) => webhooks.update(params.webhookId, body),
    delete: ({ params }) => webhooks.delete(params.webhookId),
  });
}
