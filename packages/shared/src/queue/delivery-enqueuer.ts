import type { JobsOptions } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { DeliveryStore } from '../deliveries/delivery-store.js';
import type { NewDelivery } from '../deliveries/types.js';
import { deliveryJobId } from './delivery-job-id.js';
import { catalogJob } from './queues.js';
import type { QueueSet } from './queues.js';

export interface EnqueueRequest {
  delivery: NewDelivery;
  /** Attempts and backoff for the job (and a debounced delivery's delay); ignored for a held delivery (it gets its job when released). */
  jobOptions: Pick<JobsOptions, 'attempts' | 'backoff' | 'delay'>;
}

interface Pending extends EnqueueRequest {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Raised when Redis did not confirm a batch; the ingress answers 503 to every request in it. */
export class EnqueueError extends Error {
  override name = 'EnqueueError';
}

/**
 * Stores deliveries and their jobs, micro-batched: every request that arrives in one event-loop turn shares one
 * MULTI holding the delivery records and the BullMQ job inserts, so a batch costs one round trip and a record is
 * never stored without its job (or the reverse). Each caller's promise settles only when Redis has confirmed the
 * MULTI, so a 202 is never sent for something that was not stored.
 */
export class DeliveryEnqueuer {
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly deliveries: DeliveryStore,
    private readonly queues: QueueSet,
    /** How long a batch may wait for Redis before its requests get 503 (never a hang). Default 3000 ms. */
    private readonly timeoutMs = 3_000,
    /**
     * Runs once per batch after Redis stored it and before any caller is answered, with the connection that stored
     * it; a rejection answers the whole batch 503. Durability modes use it (one `WAIT` for replicas per batch).
     */
    private readonly afterStore?: (connection: RedisClient) => Promise<void>,
  ) {}

  enqueue(request: EnqueueRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ...request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#scheduled = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EnqueueError(`Redis did not confirm within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    Promise.race([this.#store(batch), timeout]).then(
      () => {
        clearTimeout(timer);
        for (const item of batch) item.resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        for (const item of batch)
          item.reject(err instanceof EnqueueError ? err : new EnqueueError('could not store the delivery', { cause: err }));
      },
    );
  }

  async #store(batch: Pending[]): Promise<void> {
    const tx = await this.queues.transaction(batch.filter((item) => item.delivery.status === 'queued').map((item) => item.delivery.queue));
    const inserts: Promise<unknown>[] = [];
    const stored: NewDelivery[] = [];
    for (const item of batch) {
      if (item.delivery.status === 'queued') {
        const job = catalogJob(
          'run-delivery',
          { deliveryId: item.delivery.id },
          { ...item.jobOptions, jobId: deliveryJobId(item.delivery.id) },
        );
        try {
          inserts.push(tx.addJob(item.delivery.queue, job));
        } catch (err) {
          // Refused before anything was queued (invalid job options): only this request fails.
          item.reject(new EnqueueError('the job was refused', { cause: err }));
          continue;
        }
      }
      stored.push(item.delivery);
    }
    this.deliveries.appendCreate(tx.commands, stored);
    await Promise.all(inserts);
    const results = await tx.commands.exec();
    const failed = results?.find(([err, value]) => err !== null || (typeof value === 'number' && value < 0));
    if (!results || failed) throw new EnqueueError('Redis refused the deliveries', { cause: failed?.[0] ?? failed?.[1] });
    await this.afterStore?.(tx.connection);
  }
}
