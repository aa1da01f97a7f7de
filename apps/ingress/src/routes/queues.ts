import { z } from 'zod';
import { listResponse } from '../api/schemas.js';
import type { QueueOverview } from '../queues/queue-overview.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';

export const queueResponse = z
  .object({
    name: z.string(),
    counts: z.object({
      waiting: z.number().int(),
      active: z.number().int(),
      delayed: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      paused: z.number().int().describe('jobs waiting in a paused queue (BullMQ 6 keeps them in wait); 0 while the queue runs'),
    }),
    workers: z.number().int(),
    isPaused: z.boolean().optional(),
  })
  .meta({ id: 'Queue' });

export const queueEndpoints = defineEndpoints({
  list: {
    method: 'get',
    path: '/queues',
    summary: 'Queues with job counts and workers',
    tag: 'queues',
    ok: { status: 200, description: 'queues', schema: listResponse(queueResponse) },
    problems: [],
  },
});

export function queueRoutes({ queues }: { queues: QueueOverview }) {
  return mountEndpoints(queueEndpoints, {
    list: async () => ({ items: await queues.list(), nextCursor: null }),
  });
}
