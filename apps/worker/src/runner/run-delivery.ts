import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { jobCatalog, type DeliveryStore, type Logger } from '@hookflow/shared';
import { describeFailure, WorkflowError } from '../errors/workflow-error.js';
import { builtinImplementations } from '../workflows/builtins.js';

export interface RunDeliveryDeps {
  deliveries: DeliveryStore;
  log: Logger;
  now: () => Date;
}

/**
 * The BullMQ processor: loads the delivery, runs its workflow and records the outcome. A retryable failure with
 * attempts left marks the delivery `retrying` and rethrows (BullMQ schedules the backoff); anything else marks it
 * `failed` and throws `UnrecoverableError` so BullMQ does not try again.
 */
export function createDeliveryProcessor({ deliveries, log, now }: RunDeliveryDeps) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<void> => {
    const { deliveryId } = jobCatalog['run-delivery'].schema.parse(job.data);
    const delivery = await deliveries.get(deliveryId);
    if (!delivery) {
      log.warn({ deliveryId }, 'delivery record is gone (retention or deletion); job dropped');
      return;
    }
    // A job can come back after its delivery finished (a worker died after recording the outcome): do not rerun.
    if (delivery.status === 'succeeded' || delivery.status === 'failed') return;

    const attempt = job.attemptsMade + 1;
    await deliveries.markRunning(deliveryId, attempt, now());
    try {
      const implementation = builtinImplementations[delivery.workflow];
      if (!implementation) throw new WorkflowError('workflow_not_found', `no workflow named ${delivery.workflow}`, false);
      const result = await implementation({ delivery, payload: delivery.payload, signal: signal ?? new AbortController().signal });
      await deliveries.markSucceeded(deliveryId, result, now());
    } catch (err) {
      const failure = describeFailure(err);
      const attemptsAllowed = job.opts.attempts ?? 1;
      if (failure.retryable && attempt < attemptsAllowed) {
        await deliveries.markRetrying(deliveryId, { code: failure.code, message: failure.message });
        log.warn({ deliveryId, attempt, code: failure.code }, 'delivery attempt failed; will retry');
        throw err;
      }
      await deliveries.markFailed(deliveryId, { code: failure.code, message: failure.message }, now());
      log.warn({ deliveryId, attempt, code: failure.code }, 'delivery failed');
      throw new UnrecoverableError(failure.message);
    }
  };
}
