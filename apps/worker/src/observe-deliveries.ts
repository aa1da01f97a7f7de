import type { Job } from 'bullmq';
import { jobCatalog, type DeliveryRetention, type Logger, type WorkerMetrics } from '@hookflow/shared';

type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<void>;

/**
 * Wraps the delivery processor without changing it: after each attempt, one Redis call (`DeliveryRetention.settle`)
 * applies retention to a finished delivery and reads the outcome the runner recorded, which the metrics count.
 * Whatever the processor threw is rethrown unchanged, so BullMQ's retry handling is untouched.
 */
export function observeDeliveries(processor: Processor, deps: { retention: DeliveryRetention; metrics: WorkerMetrics; log: Logger }): Processor {
  return async (job, token, signal) => {
    const stopTimer = process.hrtime.bigint();
    let failure: { err: unknown } | undefined;
    try {
      await processor(job, token, signal);
    } catch (err) {
      failure = { err };
    }
    const seconds = Number(process.hrtime.bigint() - stopTimer) / 1e9;
    const parsed = jobCatalog['run-delivery'].schema.safeParse(job.data);
    if (parsed.success) {
      try {
        const settled = await deps.retention.settle(parsed.data.deliveryId);
        const outcome = outcomeOf(settled.status, failure !== undefined);
        const workflow = settled.workflow ?? 'unknown';
        deps.metrics.deliveries.inc({ workflow, outcome });
        deps.metrics.duration.observe({ workflow, outcome }, seconds);
        if (outcome === 'retrying') deps.metrics.retries.inc({ workflow });
      } catch (err) {
        // Metrics and retention must never turn a finished attempt into a failed one.
        deps.log.warn({ err: (err as Error).message, deliveryId: parsed.data.deliveryId }, 'could not settle delivery');
      }
    }
    if (failure) throw failure.err;
  };
}

function outcomeOf(status: string | null, threw: boolean): string {
  if (status === null) return 'dropped';
  if (status === 'succeeded' || status === 'failed' || status === 'retrying') return status;
  // The runner did not get to record an outcome (for example Redis failed mid-attempt).
  return threw ? 'error' : status;
}
