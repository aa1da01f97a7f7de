import { DelayedError, type Job } from 'bullmq';
import {
  parkJob,
  type DeliverySignals,
  type DeliveryStore,
  type Logger,
  type RedisClient,
  type Settled,
  type WaitingFor,
} from '@hookflow/shared';

/**
 * The worker's side of `wait` steps (see packages/shared/src/deliveries/delivery-signals.ts): a run that stopped at a
 * wait step has its delivery marked `waiting` (only while this run holds it) and its job parked in BullMQ's delayed set
 * until the wait's deadline, holding no worker. A signal promotes the job sooner; at the deadline it comes back on its
 * own and the wait step times out. A signal that lands between the mark and the move found the job still active, so
 * after the move (`parkJob`) the delivery is looked at once more.
 */
export async function parkAtWait(
  deps: { redis: RedisClient; signals: DeliverySignals; deliveries: DeliveryStore; log: Logger; now: () => Date },
  job: Job,
  token: string | undefined,
  deliveryId: string,
  waitingFor: WaitingFor,
): Promise<Settled> {
  const marked = await deps.signals.markWaiting(deliveryId, waitingFor, deps.now(), token ?? '');
  if (marked !== 'waiting' && marked !== 'signalled') {
    // Cancelled meanwhile (retention applies as to any ended delivery), or no longer this run's to park.
    return deps.deliveries.settle(deliveryId);
  }
  // Signalled while the run was stopping: it goes on at once, through the queue like any resumed delivery.
  const untilMs = marked === 'waiting' ? Date.parse(waitingFor.expiresAt) : Date.now();
  const stillWaiting = async () => marked === 'waiting' && (await deps.signals.status(deliveryId)) === 'waiting';
  if (await parkJob(deps.redis, job, token, untilMs, stillWaiting))
    deps.log.debug(
      { deliveryId, step: waitingFor.stepId, signal: waitingFor.signal, until: waitingFor.expiresAt },
      'delivery waiting for a signal',
    );
  throw new DelayedError();
}
