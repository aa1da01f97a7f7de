import { DeliveryEnqueuer, type EnqueueRequest, type IngressMetrics } from '@hookflow/shared';

/** The one `DeliveryEnqueuer`, timing each request from hand-over to Redis's confirmation (batch wait included). */
export class MeteredDeliveryEnqueuer extends DeliveryEnqueuer {
  #metrics: IngressMetrics | undefined;

  withMetrics(metrics: IngressMetrics): this {
    this.#metrics = metrics;
    return this;
  }

  override enqueue(request: EnqueueRequest): Promise<void> {
    const end = this.#metrics?.enqueueDuration.startTimer();
    if (!end) return super.enqueue(request);
    return super.enqueue(request).then(
      () => void end({ result: 'stored' }),
      (err: unknown) => {
        end({ result: 'failed' });
        throw err;
      },
    );
  }
}
