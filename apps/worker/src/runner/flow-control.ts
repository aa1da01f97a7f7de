import { DelayedError, type Job } from 'bullmq';
import {
  LuaScript,
  deliveryJob,
  endedStatusLua,
  releaseKeySlotLua,
  takeKeySlotLua,
  parkJob,
  wakeJob,
  type Keys,
  type Logger,
  type QueueSet,
  type RedisClient,
} from '@hookflow/shared';

/*
 * The worker's side of flow control per key (see packages/shared/src/deliveries/key-slots.ts): the start script
 * already refused the slot, so the job is parked, and parked jobs are woken when their key's slot frees.
 */

/**
 * How long a parked job sleeps when no wake reaches it (every worker was down when the slot freed): it then looks
 * again. Wakes are the normal path; this only bounds what a lost one costs.
 */
export const parkRecheckMs = 30_000;

// KEYS[1] the delivery record. 1 when it holds a slot of its key now (see takeKeySlotLua), else 0 (still parked).
const holdsSlotScript = new LuaScript(`${endedStatusLua}${releaseKeySlotLua}${takeKeySlotLua}
if redis.call('EXISTS', KEYS[1]) == 0 or endedStatus(KEYS[1]) then return 0 end
return takeKeySlot(KEYS[1]) and 0 or 1
`);

/**
 * Parks a job whose delivery waits behind another of its key until a wake promotes it (`parkJob`). A slot that freed
 * between the start script and the move sent its wake too early, so after the move the slot is tried once more.
 */
export async function parkBehindKey(
  redis: RedisClient,
  keys: Keys,
  job: Job,
  token: string | undefined,
  deliveryId: string,
  behind: string,
  log: Logger,
): Promise<never> {
  const holdsSlot = async () => ((await holdsSlotScript.run(redis, [keys.delivery(deliveryId)], [])) as number) === 1;
  if (await parkJob(redis, job, token, Date.now() + parkRecheckMs, async () => !(await holdsSlot())))
    log.debug({ deliveryId, behind }, 'delivery parked behind its concurrency key');
  throw new DelayedError();
}

/**
 * Wakes parked jobs named on `keySlotFreed` (`<queue>\n<deliveryId>`). Every worker hears every wake; promoting a job
 * that another worker already promoted (or that is not delayed) fails harmlessly.
 */
export async function listenForFreedSlots(
  subscriber: RedisClient,
  redis: RedisClient,
  keys: Keys,
  queues: QueueSet,
  served: readonly string[],
  log: Logger,
): Promise<void> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== keys.keySlotFreed) return;
    const [queue, deliveryId] = message.split('\n');
    if (!queue || !deliveryId || !served.includes(queue)) return;
    wakeJob(redis, deliveryJob(queues.get(queue), deliveryId)).catch((err: Error) =>
      log.debug({ deliveryId, err: err.message }, 'parked job not promoted (already woken)'),
    );
  });
  await subscriber.subscribe(keys.keySlotFreed);
}

/** The `/metrics` gauge: deliveries parked behind their concurrency key, across the installation. */
export function parkedCount(redis: RedisClient, keys: Keys): Promise<number> {
  return redis.scard(keys.keyParked);
}
