import { Job, type Queue } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import { LuaScript } from '../redis/lua-script.js';
import { deliveryJobId } from './delivery-job-id.js';

// KEYS[1] a queue's wait list. ARGV: a job id. Moves a job just promoted from the back of the wait list (where
// BullMQ's promote puts it) to the front, where the next worker takes it; a job already taken is left alone.
const toFrontScript = new LuaScript(`
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then redis.call('RPUSH', KEYS[1], ARGV[1]) end
return 1
`);

/** A handle on a delivery's job by its id (the delivery id), enough to promote it without reading it. */
export function deliveryJob(queue: Queue, deliveryId: string): Job {
  return new Job(queue, 'run-delivery', {}, {}, deliveryJobId(deliveryId));
}

/**
 * Wakes a parked job (behind its concurrency key, or at a `wait` step): out of the delayed set, to the front of the
 * queue. A woken delivery arrived before the backlog behind it, and for a keyed one it holds its key's slot: at the
 * back it would keep that slot idle while later deliveries of its key were taken one by one and parked in turn.
 * Fails when the job is not delayed (already woken, or taken).
 */
export async function wakeJob(redis: RedisClient, job: Job): Promise<void> {
  await job.promote();
  await toFrontScript.run(redis, [`${job.queueQualifiedName}:wait`], [job.id!]);
}

/**
 * Parks an active job (behind its concurrency key, or at a `wait` step) in the delayed set until `untilMs`, freeing its
 * worker, then asks `stillParked` once more. A wake sent between the caller's decision to park and the move found the
 * job still active, so it was lost: a job that should no longer be parked wakes itself. Either the wake came before
 * that look (which sees its cause) or after the move (and found the job delayed). Returns whether the job stays parked;
 * the caller then ends the processor with BullMQ's `DelayedError`.
 */
export async function parkJob(
  redis: RedisClient,
  job: Job,
  token: string | undefined,
  untilMs: number,
  stillParked: () => Promise<boolean>,
): Promise<boolean> {
  await job.moveToDelayed(untilMs, token);
  if (await stillParked()) return true;
  await wakeJob(redis, job).catch(() => undefined);
  return false;
}
