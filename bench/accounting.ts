import type { Redis } from 'ioredis';
import { DeliveryStore, type Keys } from '@hookflow/shared';

export interface Accounting {
  /** 2xx answers the bench received from the ingress. */
  accepted: number;
  /** Delivery ids read from those answers, each looked up. */
  idsChecked: number;
  /**
   * Delivery records in the webhook's index. Can exceed `accepted`: a timed autocannon run stops with up to one
   * request per connection in flight, which the ingress stores and answers but the load generator no longer counts.
   */
  stored: number;
  /** Acknowledged deliveries whose record says `succeeded`. */
  succeeded: number;
  /** Acknowledged deliveries that are not `succeeded` (or whose answer carried no id): must be 0. */
  lost: number;
  /** Status of each acknowledged delivery, counted (`missing` when the record is gone). */
  statuses: Record<string, number>;
}

/** Looks up every acknowledged delivery by the id its 202 carried (pipelined, in chunks of 1000). */
export async function account(redis: Redis, keys: Keys, webhookId: string, accepted: number, acceptedIds: string[]): Promise<Accounting> {
  const store = new DeliveryStore(redis, keys);
  const statuses: Record<string, number> = {};
  for (let i = 0; i < acceptedIds.length; i += 1000) {
    for (const status of await store.statusesOf(acceptedIds.slice(i, i + 1000))) {
      statuses[status ?? 'missing'] = (statuses[status ?? 'missing'] ?? 0) + 1;
    }
  }
  const succeeded = statuses.succeeded ?? 0;
  return {
    accepted,
    idsChecked: acceptedIds.length,
    stored: await redis.zcard(keys.webhookDeliveries(webhookId)),
    succeeded,
    lost: Math.max(accepted, acceptedIds.length) - succeeded,
    statuses,
  };
}
