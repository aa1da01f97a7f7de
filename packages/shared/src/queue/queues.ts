import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { jobCatalog, type JobData, type JobName } from './job-catalog.js';

/** One BullMQ `Queue` object per queue name, sharing the producer connection. */
export class QueueSet {
  readonly #queues = new Map<string, Queue>();

  constructor(
    private readonly connection: RedisClient,
    private readonly keys: Keys,
  ) {}

  get(name: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.keys.bullPrefix });
      // Errors surface on the calls that hit them; the emitter event must not crash the process.
      queue.on('error', () => {});
      this.#queues.set(name, queue);
    }
    return queue;
  }

  names(): string[] {
    return [...this.#queues.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
  }
}

/** A catalogue job ready for `addBulk`: data checked against its schema, catalogue options under the caller's. */
export function catalogJob<N extends JobName>(name: N, data: JobData<N>, options: JobsOptions = {}) {
  const entry = jobCatalog[name];
  return { name, data: entry.schema.parse(data) as JobData<N>, opts: { ...entry.options, ...options } };
}
