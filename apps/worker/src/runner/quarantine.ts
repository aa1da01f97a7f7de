import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { jobCatalog, type DeliveryStore, type Logger, type Settled } from '@hookflow/shared';

/*
 * Poison quarantine: a delivery whose job was abandoned `HOOKFLOW_MAX_STALLS` times by workers that died while running
 * it fails with `worker_crashed` instead of running again, so one event that kills its worker cannot crash-loop the pool.
 *
 * Why the record reliably ends `failed`:
 * 1. The decision is taken by a live worker, before anything runs: BullMQ's stall check (an atomic script) only counts
 *    the abandonment on the job (`stalledCounter`) and puts it back in the queue. The next worker that takes it sees
 *    the count at start, records `worker_crashed` and only then lets BullMQ fail the job. If that worker dies too, the
 *    job is still active, stalls again and comes back to the next one: the job never leaves the queue before its
 *    record says `failed`.
 * 2. BullMQ's own limit (`maxStalledCount`, set to the same number) is the backstop for that last case: one more stall
 *    and BullMQ 6 sets a deferred failure, so the next worker fails the job without calling the processor. That worker
 *    records `worker_crashed` in its `failed` event (`recordStallFailure`).
 * 3. Should that worker die between failing the job and recording it, every worker looks once at start-up at the
 *    newest failed jobs (`sweepStallFailures`) and records the outcome for any still open. A worker that died is
 *    replaced by a new one, which does the look.
 * Every step writes with `markFailed(…, { onlyIfOpen: true })`, which never changes a delivery that already ended,
 * so repeating any of them is harmless.
 */

/** The failure reason BullMQ gives a job that stalled more than `maxStalledCount` times. */
export const stallLimitReason = 'job stalled more than allowable limit';

const crashedError = (stalls: number) => ({
  code: 'worker_crashed',
  message: `the workers running this delivery stopped ${stalls} times without finishing it; it is not run again`,
});

/** Records `worker_crashed` for a delivery whose job stalled `stalls` times, and fails the job for good. */
export async function quarantineCrashed(
  deliveries: DeliveryStore,
  deliveryId: string,
  stalls: number,
  at: Date,
  log: Logger,
): Promise<Settled> {
  const settled = await deliveries.markFailed(deliveryId, crashedError(stalls), at, { onlyIfOpen: true });
  // Finished (or cancelled) before its worker died: nothing to quarantine, the job ends normally.
  if (settled.status !== 'failed') return settled;
  log.warn({ deliveryId, stalls }, 'delivery quarantined: its workers kept dying (worker_crashed)');
  throw new UnrecoverableError('worker_crashed');
}

/** For the worker's `failed` event: records `worker_crashed` when BullMQ itself failed the job for its stalls. */
export async function recordStallFailure(
  deliveries: DeliveryStore,
  job: Job | undefined,
  err: Error,
  at: Date,
  log: Logger,
): Promise<void> {
  if (!job || (err.message !== stallLimitReason && job.deferredFailure !== stallLimitReason)) return;
  const parsed = jobCatalog['run-delivery'].schema.safeParse(job.data);
  if (!parsed.success) return;
  const settled = await deliveries.markFailed(parsed.data.deliveryId, crashedError(job.stalledCounter), at, { onlyIfOpen: true });
  if (settled.status === 'failed')
    log.warn(
      { deliveryId: parsed.data.deliveryId, stalls: job.stalledCounter },
      'delivery quarantined: its workers kept dying (worker_crashed)',
    );
}

/** Failed jobs looked at per queue at start-up: the newest, where a failure not yet recorded can be. */
const sweepDepth = 200;

/** At start-up: records `worker_crashed` for deliveries whose job BullMQ failed for its stalls but whose record is still open. */
export async function sweepStallFailures(queue: Queue, deliveries: DeliveryStore, at: Date, log: Logger): Promise<void> {
  const jobs = await queue.getFailed(0, sweepDepth - 1);
  for (const job of jobs) {
    if (job?.failedReason === stallLimitReason) await recordStallFailure(deliveries, job, new Error(stallLimitReason), at, log);
  }
}
