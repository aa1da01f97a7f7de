import type { Redis } from 'ioredis';
import { DeliveryStore, type Keys } from '@hookflow/shared';

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

/** Reads the status of every delivery of `webhookId` and of the ids seen in 202 bodies (pipelined, in chunks). */
export async function account(redis: Redis, keys: Keys, webhookId: string, accepted: number, pipelineIds: string[]): Promise<Accounting> {
  const store = new DeliveryStore(redis, keys);
  const statusesOf = async (ids: string[]) => {
    const out: (string | null)[] = [];
    for (let i = 0; i < ids.length; i += 1000) out.push(...(await store.statusesOf(ids.slice(i, i + 1000))));
    return out;
  };
  const ids = await redis.zrange(keys.webhookDeliveries(webhookId), '0', '-1');
  const statuses: Record<string, number> = {};
  for (const status of await statusesOf(ids)) statuses[status ?? 'missing'] = (statuses[status ?? 'missing'] ?? 0) + 1;
  const succeeded = statuses.succeeded ?? 0;
  const pipelineStatuses = await statusesOf(pipelineIds);
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
