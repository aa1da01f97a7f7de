import { DelayedError, type Job } from 'bullmq';
import { jobCatalog, type DeliveryRetention, type Logger, type Settled, type WorkerMetrics } from '@hookflow/shared';

/** The delivery processor: when it returns, it says what it recorded (the success path already applied retention). */
type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<Settled>;

/**
 * Wraps the delivery processor without changing it, and counts each attempt's outcome in the metrics. A returning
 * processor reports the outcome itself; after a throw (retry, final failure, Redis trouble) one Redis call
 * (`DeliveryRetention.settle`) applies retention to a finished delivery and reads the outcome the runner recorded.
 * Whatever the processor threw is rethrown unchanged, so BullMQ's retry handling is untouched. Resolves to nothing,
 * so BullMQ stores no return value.
 */
export function observeDeliveries(
  processor: Processor,
  deps: { retention: DeliveryRetention; metrics: WorkerMetrics; log: Logger },
): (job: Job, token?: string, signal?: AbortSignal) => Promise<void> {
  return async (job, token, signal) => {
    const stopTimer = process.hrtime.bigint();
    let failure: { err: unknown } | undefined;
    let reported: Settled | undefined;
    try {
      reported = await processor(job, token, signal);
    } catch (err) {
      failure = { err };
    }
    // Parked behind its concurrency key: not an attempt (see runner/flow-control.ts).
    if (failure?.err instanceof DelayedError) throw failure.err;
    const seconds = Number(process.hrtime.bigint() - stopTimer) / 1e9;
    const count = (settled: Settled, threw: boolean) => {
      const outcome = outcomeOf(settled.status, threw);
      const workflow = settled.workflow ?? 'unknown';
      deps.metrics.deliveries.inc({ workflow, outcome });
      deps.metrics.duration.observe({ workflow, outcome }, seconds);
      if (outcome === 'retrying') deps.metrics.retries.inc({ workflow });
    };
    if (reported) {
      count(reported, false);
      return;
    }
    const parsed = jobCatalog['run-delivery'].schema.safeParse(job.data);
    if (parsed.success) {
      try {
        count(await deps.retention.settle(parsed.data.deliveryId), failure !== undefined);
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
  if (status === 'succeeded' || status === 'failed' || status === 'retrying' || status === 'cancelled') return status;
  // The runner did not get to record an outcome (for example Redis failed mid-attempt).
  return threw ? 'error' : status;
}
