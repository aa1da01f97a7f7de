import { Job, Queue, type JobsOptions } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/connection.js';
import type { Keys } from '../redis/keys.js';
import { jobCatalog, type JobData, type JobName } from './job-catalog.js';
import { openInsertConnection, type InsertConnection } from './insert-connection.js';

/** One BullMQ `Queue` object per queue name, sharing the producer connection. */
export class QueueSet {
  readonly #queues = new Map<string, Queue>();
  /** Opened by the first transaction with a job insert (undefined until then; null: BullMQ's scripts could not be copied). */
  #insert: InsertConnection | null | undefined;

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

  /**
   * Opens one MULTI that takes Hookflow's own commands (`commands`) and BullMQ job inserts (`addJob`) together, so a
   * record and its job are stored in one round trip, atomically. With job inserts it goes on the insert connection
   * (see `InsertConnection`), opened on first use, once a queue's client has resolved: by then BullMQ has defined the
   * scripts it copies. Without job inserts, or where they could not be copied, it goes on the shared connection
   * through BullMQ's wrapped client.
   */
  async transaction(queueNames: Iterable<string>): Promise<JobTransaction> {
    const queues = [...new Set(queueNames)].map((name) => this.get(name));
    const clients = await Promise.all(queues.map((queue) => queue.getBackend().client));
    if (clients[0] && this.#insert === undefined) this.#insert = openInsertConnection(this.connection);
    const insert = clients[0] ? this.#insert : null;
    // Only the first batches wait, while the connection opens; well within the enqueuer's own time limit.
    if (insert) await insert.untilReady(1_000);
    const commands = (insert ? insert.multi() : clients[0] ? clients[0].multi() : this.connection.multi()) as unknown as ChainableCommander;
    return {
      connection: insert ? insert.connection : this.connection,
      commands,
      addJob: (queueName, job) => {
        const queue = this.get(queueName);
        if (!queues.includes(queue)) throw new Error(`queue ${queueName} was not named when the transaction was opened`);
        // Job#addJob queues BullMQ's insert script on the MULTI; it throws at once on invalid options.
        return new Job(queue, job.name, job.data, job.opts, job.opts.jobId).addJob(commands as never);
      },
    };
  }

  names(): string[] {
    return [...this.#queues.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    await this.#insert?.close();
  }
}

export interface JobTransaction {
  /** The connection `exec()` sends the MULTI on (a `WAIT` for its replication must go on it too). */
  connection: RedisClient;
  /** Plain Redis commands of the MULTI; `exec()` on it sends everything. */
  commands: ChainableCommander;
  /** Queues a job insert on the MULTI; throws on invalid options. Settles before `exec()` (the insert is only queued). */
  addJob: (queueName: string, job: CatalogJob) => Promise<unknown>;
}

export type CatalogJob = ReturnType<typeof catalogJob>;

/** A catalogue job ready for `addBulk`: data checked against its schema, catalogue options under the caller's. */
export function catalogJob<N extends JobName>(name: N, data: JobData<N>, options: JobsOptions = {}) {
  const entry = jobCatalog[name];
  return { name, data: entry.schema.parse(data) as JobData<N>, opts: { ...entry.options, ...options } };
}
