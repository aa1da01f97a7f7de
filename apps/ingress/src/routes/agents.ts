import { z } from 'zod';
import { maxOutboundGraceSeconds, type AgentStore } from '@hookflow/shared';
import { listQuery, listResponse, timestamp } from '../api/schemas.js';
import type { OutboundSecretService } from '../domain/outbound-secrets.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';

export const createAgentBody = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    description: z.string().max(2000, 'must be at most 2000 characters').optional(),
  })
  .strict();

export const rotateOutboundSecretBody = z
  .object({
    graceSeconds: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(maxOutboundGraceSeconds, 'must be at most 2592000 (30 days)')
      .optional(),
  })
  .strict();

export const agentResponse = z
  .object({ id: z.string(), name: z.string(), description: z.string(), createdAt: timestamp })
  .meta({ id: 'Agent' });

export const outboundSecretResponse = z
  .object({
    secret: z.string().describe('whsec_<base64>'),
    scheme: z.literal('standard-webhooks'),
    previousExpiresAt: timestamp.nullable(),
  })
  .meta({
    id: 'OutboundSecret',
    description: "the secret the agent's notify steps sign with; previousExpiresAt: when the secret a rotation replaced stops signing",
  });

// The secret itself is in the answer, so even reading it takes the admin token, not the read-only one.
const secretIsAdminOnly = 'the outbound secret needs the admin token';

export const agentEndpoints = defineEndpoints({
  create: {
    method: 'post',
    path: '/agents',
    summary: 'Create an agent',
    tag: 'agents',
    body: { schema: createAgentBody },
    ok: { status: 201, description: 'created', schema: agentResponse },
    problems: [400],
  },
  list: {
    method: 'get',
    path: '/agents',
    summary: 'List agents',
    tag: 'agents',
    query: listQuery,
    ok: { status: 200, description: 'a page of agents', schema: listResponse(agentResponse) },
    problems: [400],
  },
  get: {
    method: 'get',
    path: '/agents/{agentId}',
    summary: 'Get an agent',
    tag: 'agents',
    ok: { status: 200, description: 'the agent', schema: agentResponse },
    problems: [404],
  },
  delete: {
    method: 'delete',
    path: '/agents/{agentId}',
    summary: 'Delete an agent',
    tag: 'agents',
    ok: { status: 204, description: 'deleted' },
    problems: [404, 409],
  },
  outboundSecret: {
    method: 'get',
    path: '/agents/{agentId}/outbound-secret',
    summary: "The secret the agent's notify steps sign with (Standard Webhooks), for receivers to verify; admin token only",
    tag: 'agents',
    adminOnly: secretIsAdminOnly,
    ok: { status: 200, description: 'the outbound secret', schema: outboundSecretResponse },
    problems: [403, 404],
  },
  rotateOutboundSecret: {
    method: 'post',
    path: '/agents/{agentId}/outbound-secret',
    summary: 'Rotate the outbound secret; the old one keeps signing alongside for graceSeconds (default 86400)',
    tag: 'agents',
    adminOnly: secretIsAdminOnly,
    body: { schema: rotateOutboundSecretBody, optional: true },
    ok: { status: 200, description: 'the new outbound secret', schema: outboundSecretResponse },
    problems: [400, 403, 404],
  },
});

export function agentRoutes({ agents, outboundSecrets }: { agents: AgentStore; outboundSecrets: OutboundSecretService }) {
  return mountEndpoints(agentEndpoints, {
    create: ({ body }) => agents.create(body),
    list: ({ query }) => agents.list(query.limit, query.cursor ?? null),
    get: ({ params }) => agents.get(params.agentId),
    delete: ({ params }) => agents.delete(params.agentId),
    outboundSecret: ({ params }) => outboundSecrets.get(params.agentId),
    rotateOutboundSecret: ({ params, body }) => outboundSecrets.rotate(params.agentId, body.graceSeconds),
  });
}
