import { Cluster, type Redis } from 'ioredis';
import { EnqueueError, type Keys, type RedisClient } from '@hookflow/shared';
import type { IngressConfig } from '../config.js';

/**
 * The enqueuer's `afterStore` hook for a durability mode: with `replicated`, one `WAIT <minReplicas> <timeoutMs>`
 * per stored batch, failing the batch (503) when fewer replicas confirmed; other modes need nothing after the store.
 *
 * WAIT counts the replication of the writes this very connection made, so it is sent on the connection that
 * stored the batch (the enqueuer passes it): that connection itself, or on a Cluster its node connection owning the
 * `{prefix}` slot.
 */
export function durabilityAfterStore(
  durability: IngressConfig['durability'],
  keys: Keys,
): ((redis: RedisClient) => Promise<void>) | undefined {
  if (durability.mode !== 'replicated') return undefined;
  const { minReplicas, waitTimeoutMs } = durability;
  let slot: number | undefined;
  const connection = async (redis: RedisClient): Promise<Redis> => {
    if (!(redis instanceof Cluster)) return redis;
    slot ??= Number(await redis.cluster('KEYSLOT', keys.agents));
    const owner = redis.slots[slot]?.[0];
    const node = redis.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
    if (!node) throw new EnqueueError(`no known master for slot ${slot}`);
    return node;
  };
  return async (redis) => {
    const confirmed = await (await connection(redis)).wait(minReplicas, waitTimeoutMs);
    if (confirmed < minReplicas) {
      throw new EnqueueError(`only ${confirmed} of ${minReplicas} replicas confirmed within ${waitTimeoutMs} ms`);
    }
  };
}
