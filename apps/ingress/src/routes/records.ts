import { z } from 'zod';
import { deliveryError, listQuery, listResponse, timestamp } from '../api/schemas.js';
import type { RecordService } from '../domain/records.js';
import { defineEndpoints, mountEndpoints } from './endpoint.js';

export const recordResponse = z
  .object({
    collection: z.string(),
    key: z.string(),
    /** Null only when the stored value cannot be shown (then `presentationError` says so). */
    value: z.record(z.string(), z.unknown()).nullable(),
    updatedAt: timestamp,
    presentationError: deliveryError.optional(),
  })
  .meta({ id: 'AgentRecord' });

/** Agent records written by `store` steps, read-only. */
export const recordEndpoints = defineEndpoints({
  list: {
    method: 'get',
    path: '/agents/{agentId}/records/{collection}',
    summary: "List an agent's records in a collection",
    tag: 'records',
    query: listQuery,
    ok: { status: 200, description: 'a page of records', schema: listResponse(recordResponse) },
    problems: [400, 404],
  },
  get: {
    method: 'get',
    path: '/agents/{agentId}/records/{collection}/{key}',
    summary: 'Get one agent record',
    tag: 'records',
    ok: { status: 200, description: 'the record', schema: recordResponse },
    problems: [404],
  },
});

export function recordRoutes({ records }: { records: RecordService }) {
  return mountEndpoints(recordEndpoints, {
    list: ({ params, query }) => records.list(params.agentId, params.collection, query),
    get: ({ params }) => records.get(params.agentId, params.collection, params.key),
  });
}
