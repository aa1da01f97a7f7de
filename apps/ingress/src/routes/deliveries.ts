import { z } from 'zod';
import { deliveryStatuses } from '@hookflow/shared';
import { deliveryError, listQuery, listResponse, timestamp } from '../api/schemas.js';
import type { DeliveryService } from '../domain/deliveries.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';

export const listDeliveriesQuery = listQuery.extend({
  status: z.enum(deliveryStatuses).optional(),
});

export const deliveryResponse = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    agentId: z.string(),
    workflow: z.string(),
    status: z.enum(deliveryStatuses),
    receivedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    attempts: z.number().int(),
    dedupeKey: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    payload: z.unknown(),
    result: z.unknown(),
    error: deliveryError.nullable(),
    /** Only when part of the stored record cannot be shown: those fields are shown empty, this names them. */
    presentationError: deliveryError.optional(),
    steps: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        status: z.enum(['running', 'succeeded', 'failed', 'skipped']),
        attempts: z.number().int(),
        startedAt: timestamp.nullable(),
        finishedAt: timestamp.nullable(),
        output: z.unknown().optional(),
        error: deliveryError.optional(),
      }),
    ),
    replayOf: z.string().nullable(),
    cancelledAt: timestamp.nullable(),
    /** The value of the concurrency key it is counted under (API.md §5.4). */
    concurrencyKey: z.string().nullable(),
    /** The value of its debounce key. */
    debounceKey: z.string().nullable(),
    /** The later delivery of the same debounce key that replaced it (status `superseded`). */
    supersededBy: z.string().nullable(),
    /** While it is parked behind its concurrency key: the delivery holding the slot it waits for. */
    waitingBehind: z.string().nullable(),
    /** While it is `waiting` at a `wait` step: the step, its signal and when the wait times out. */
    waitingFor: z.object({ stepId: z.string(), signal: z.string(), expiresAt: timestamp }).nullable(),
  })
  .meta({ id: 'Delivery' });

export const replayResponse = z
  .object({ deliveryId: z.string(), replayOf: z.string(), status: z.enum(['queued', 'held']).optional() })
  .meta({ id: 'ReplayAccepted' });

export const retryFailedResponse = z.object({ retried: z.number().int().min(0) }).meta({ id: 'RetryFailedAccepted' });

export const deliveryEndpoints = defineEndpoints({
  list: {
    method: 'get',
    path: '/webhooks/{webhookId}/deliveries',
    summary: "List a webhook's deliveries, newest first",
    tag: 'deliveries',
    query: listDeliveriesQuery,
    ok: { status: 200, description: 'a page of deliveries', schema: listResponse(deliveryResponse) },
    problems: [400, 404],
  },
  retryFailed: {
    method: 'post',
    path: '/webhooks/{webhookId}/deliveries/retry-failed',
    summary: 'Run every failed delivery of the webhook again',
    tag: 'deliveries',
    ok: { status: 202, description: 'how many were re-enqueued', schema: retryFailedResponse },
    problems: [404],
  },
  get: {
    method: 'get',
    path: '/deliveries/{deliveryId}',
    summary: 'Get a delivery',
    tag: 'deliveries',
    ok: { status: 200, description: 'the delivery', schema: deliveryResponse },
    problems: [404],
  },
  cancel: {
    method: 'post',
    path: '/deliveries/{deliveryId}/cancel',
    summary: 'Cancel a held, queued, retrying, waiting or running delivery; it never runs again (409 once it ended)',
    tag: 'deliveries',
    ok: { status: 200, description: 'the cancelled delivery', schema: deliveryResponse },
    problems: [404, 409],
  },
  replay: {
    method: 'post',
    path: '/deliveries/{deliveryId}/replay',
    summary: 'Run the current workflow again on the stored payload, as a new delivery',
    tag: 'deliveries',
    ok: { status: 202, description: 'the new delivery', schema: replayResponse },
    problems: [404],
  },
});

export function deliveryRoutes({ deliveries }: { deliveries: DeliveryService }) {
  return mountEndpoints(deliveryEndpoints, {
    list: ({ params, query }) => deliveries.list(params.webhookId, query),
    retryFailed: ({ params }) => deliveries.retryFailed(params.webhookId),
    get: ({ params }) => deliveries.get(params.deliveryId),
    cancel: ({ params }) => deliveries.cancel(params.deliveryId),
    replay: ({ params }) => deliveries.replay(params.deliveryId),
  });
}
