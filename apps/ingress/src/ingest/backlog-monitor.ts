import type { Logger, QueueSet } from '@hookflow/shared';

export interface BacklogMonitorOptions {
  /** Waiting jobs a queue may hold before ingest answers 503; 0 turns the check off. */
  maxBacklog: number;
  /** How often the counts are refreshed. Default 1000 ms. */
  refreshMs?: number;
  /** `Retry-After` of the 503. Default 5 s. */
  retryAfterSeconds?: number;
  log?: Logger;
}

/**
 * Backpressure: keeps each queue's count of waiting jobs, refreshed in the background, so ingest can refuse work
 * (503 with Retry-After) before Redis runs out of memory, without a Redis call per request.
 */
export class BacklogMonitor {
  readonly #counts = new Map<string, number>();
  readonly #refreshMs: number;
  readonly retryAfterSeconds: number;
  #timer: NodeJS.Timeout | undefined;
  #refreshing = false;

  constructor(
    private readonly queues: QueueSet,
    private readonly options: BacklogMonitorOptions,
  ) {
    this.#refreshMs = options.refreshMs ?? 1_000;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  get #enabled(): boolean {
    return this.options.maxBacklog > 0;
  }

  start(initialQueues: readonly string[] = ['default']): this {
    if (!this.#enabled || this.#timer) return this;
    for (const queue of initialQueues) if (!this.#counts.has(queue)) this.#counts.set(queue, 0);
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#refreshMs);
    this.#timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** True when `queue`'s last known backlog is at its limit. A queue seen for the first time is watched from now on. */
  isFull(queue: string): boolean {
    if (!this.#enabled) return false;
    const count = this.#counts.get(queue);
    if (count === undefined) {
      this.#counts.set(queue, 0);
      return false;
    }
    return count >= this.options.maxBacklog;
  }

  /** Reads every watched queue's waiting count; a failed read keeps the last value (the enqueue itself answers 503 then). */
  async refresh(): Promise<void> {
    if (this.#refreshing) return;
    this.#refreshing = true;
    try {
      await Promise.all(
        [...this.#counts.keys()].map(async (name) => {
          try {
            this.#counts.set(name, await this.queues.get(name).getJobCountByTypes('waiting', 'prioritized'));
          } catch (err) {
            this.options.log?.debug({ err: (err as Error).message, queue: name }, 'could not refresh the queue backlog');
          }
        }),
      );
    } finally {
      this.#refreshing = false;
    }
  }
}
