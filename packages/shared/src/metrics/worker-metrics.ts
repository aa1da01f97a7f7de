import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Job counts per queue state, read when Prometheus scrapes. */
export type QueueDepthReader = () => Promise<Array<{ queue: string; counts: Record<string, number> }>>;

/**
 * The worker's Prometheus metrics, in a registry of their own. `workflow` is a workflow name (bounded by the
 * workflows an installation defines), `outcome` one of succeeded, failed, retrying, cancelled, dropped, error.
 */
export function createWorkerMetrics(readQueueDepth: QueueDepthReader, depthTimeoutMs = 2_000, readKeyWaiting?: () => Promise<number>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookflow_worker_' });
  const registers = [registry];
  return {
    registry,
    deliveries: new Counter({
      name: 'hookflow_worker_deliveries_total',
      help: 'Delivery attempts run, by workflow and outcome',
      labelNames: ['workflow', 'outcome'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'hookflow_worker_delivery_duration_seconds',
      help: 'Time one delivery attempt took, by workflow and outcome',
      labelNames: ['workflow', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    retries: new Counter({
      name: 'hookflow_worker_retries_total',
      help: 'Failed attempts that will be retried, by workflow',
      labelNames: ['workflow'] as const,
      registers,
    }),
    keyWaiting: new Gauge({
      name: 'hookflow_key_waiting_deliveries',
      help: 'Deliveries parked behind their concurrency key (waiting for a slot), read at scrape time',
      registers,
      async collect() {
        if (!readKeyWaiting) return;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), depthTimeoutMs);
        });
        const count = await Promise.race([readKeyWaiting().catch(() => null), timeout]).finally(() => clearTimeout(timer));
        if (count !== null) this.set(count);
      },
    }),
    queueDepth: new Gauge({
      name: 'hookflow_queue_depth',
      help: 'Jobs per queue and state, read at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        // A scrape must not hang while Redis is away (the worker connection waits for it): report nothing instead.
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<[]>((resolve) => {
          timer = setTimeout(() => resolve([]), depthTimeoutMs);
        });
        const depths = await Promise.race([readQueueDepth().catch(() => [] as const), timeout]).finally(() => clearTimeout(timer));
        for (const { queue, counts } of depths) {
          for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
        }
      },
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
