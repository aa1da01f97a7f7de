import type { Redis } from 'ioredis';
import type { Keys } from '@hookflow/shared';

export interface Accounting {
  /** 2xx answers the bench received from the ingress. */
  accepted: number;
  /**
   * Delivery records in the webhook's index. Can exceed `accepted`: a timed autocannon run stops with up to one
   * request per connection in flight, which the ingress stores and answers but the load generator no longer counts.
   */
  stored: number;
  succeeded: number;
  /** Acknowledged deliveries that did not reach `succeeded`: must be 0. */
  lost: number;
  /** Every delivery id the pipeline run got in a 202 body is stored and `succeeded` (checked one by one). */
  pipelineIdsChecked: number;
  pipelineIdsMissing: number;
  statuses: Record<string, number>;
}

/** Reads the status of every delivery of `webhookId` (pipelined HGETs, in chunks) and of the ids seen in 202 bodies. */
export async function account(redis: Redis, keys: Keys, webhookId: string, accepted: number, pipelineIds: string[]): Promise<Accounting> {
  const ids = await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1');
  const statuses: Record<string, number> = {};
  for (const status of await statusesOf(redis, keys, ids)) statuses[status ?? 'missing'] = (statuses[status ?? 'missing'] ?? 0) + 1;
  const succeeded = statuses.succeeded ?? 0;
  const pipelineStatuses = await statusesOf(redis, keys, pipelineIds);
  return {
    accepted,
    stored: ids.length,
    succeeded,
    lost: Math.max(0, accepted - succeeded),
    pipelineIdsChecked: pipelineIds.length,
    pipelineIdsMissing: pipelineStatuses.filter((status) => status !== 'succeeded').length,
    statuses,
  };
}

async function statusesOf(redis: Redis, keys: Keys, ids: string[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(i, i + 1000)) pipeline.hget(keys.delivery(id), 'status');
    const results = (await pipeline.exec()) ?? [];
    for (const [err, value] of results) out.push(err ? null : (value as string | null));
  }
  return out;
}
