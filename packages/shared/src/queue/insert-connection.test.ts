import { createRequire } from 'node:module';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createIORedisClient, Job, Queue, QueueKeys, Worker } from 'bullmq';
import { cleanupPrefix, testPrefix, testRedis, testRedisUrl } from '../../../../test/support/redis.js';
import { createRedis, type RedisClient } from '../redis/connection.js';
import { createKeys } from '../redis/keys.js';
import { newId } from '../ids.js';
import { openInsertConnection, type InsertConnection } from './insert-connection.js';
import { catalogJob, QueueSet } from './queues.js';
import { jobKey } from './job-key.js';

const opened: { source: RedisClient; insert: InsertConnection | null }[] = [];

afterEach(async () => {
  for (const { source, insert } of opened.splice(0)) {
    await insert?.close();
    source.disconnect();
  }
});

/** A producer connection to a port nothing listens on, with scripts defined the way BullMQ defines its own. */
function unreachableSource(scriptNames: string[]): RedisClient {
  const source = createRedis('redis://127.0.0.1:1', 'producer');
  for (const name of scriptNames) source.defineCommand(name, { lua: `return '${name}'`, numberOfKeys: 1 });
  return source;
}

describe('openInsertConnection', () => {
  it('copies only the job-insert scripts, and is null when there is no addStandardJob to copy', () => {
    const source = unreachableSource(['addStandardJob:9.9.9', 'addDelayedJob:9.9.9', 'moveToFinished:9.9.9', 'obliterate:9.9.9']);
    const insert = openInsertConnection(source);
    opened.push({ source, insert });
    expect(Object.keys(insert!.connection.scriptsSet).sort()).toEqual(['addDelayedJob:9.9.9', 'addStandardJob:9.9.9']);

    const withoutInserts = unreachableSource(['moveToFinished:9.9.9']);
    const none = openInsertConnection(withoutInserts);
    opened.push({ source: withoutInserts, insert: none });
    expect(none).toBeNull();
  });

  it('stops waiting for a connection that does not open, and a MULTI on it then fails at once instead of waiting', async () => {
    const source = unreachableSource(['addStandardJob:9.9.9']);
    const insert = openInsertConnection(source)!;
    opened.push({ source, insert });
    await insert.untilReady(200);
    expect(insert.connection.status).not.toBe('ready');
    await expect(insert.multi().set('{t}:k', 'v').exec()).rejects.toThrow(/enableOfflineQueue/);
  }, 5_000);
});

/**
 * The insert connection and the job inserts of a delivery MULTI lean on BullMQ internals that no public API promises:
 * the names and shape of the scripts a Queue defines on its connection, `createIORedisClient`'s MULTI with
 * `runCommand`, `Job#addJob` on a MULTI, and the layout of a job's key. These tests check each against the bullmq
 * installed, on a real Redis, so an upgrade that changes one fails here rather than in production (where a missing
 * script would silently take the slower path, and a moved job key would make the dedupe fallback wrong).
 */
describe('the BullMQ internals the delivery MULTI relies on (real bullmq, real Redis)', () => {
  const bullmqVersion = (createRequire(import.meta.url)('bullmq/package.json') as { version: string }).version;
  const insertScripts = ['addStandardJob', 'addDelayedJob', 'addPrioritizedJob', 'addParentJob'].map((name) => `${name}:${bullmqVersion}`);
  const prefix = testPrefix('insert-contract');
  const keys = createKeys(prefix);
  const admin = testRedis();
  const source = createRedis(testRedisUrl, 'producer');
  const queues = new QueueSet(source, keys);
  const queueName = 'contract';

  afterAll(async () => {
    await queues.close();
    await cleanupPrefix(admin, prefix);
    source.disconnect();
    admin.disconnect();
  });

  it('defines the job-insert scripts, named <script>:<bullmq version>, with their Lua, on the connection a Queue is given', async () => {
    expect(typeof Queue.prototype.getBackend).toBe('function');
    // What QueueSet.transaction awaits before it opens the insert connection.
    await queues.get(queueName).getBackend().client;
    const defined = source.scriptsSet as Record<string, { lua?: unknown; numberOfKeys?: unknown }>;
    for (const name of insertScripts) {
      expect(defined[name], name).toMatchObject({ lua: expect.stringContaining('redis.call'), numberOfKeys: expect.any(Number) });
      expect(typeof (source as unknown as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('copies those scripts onto the insert connection (the fast path is taken)', async () => {
    await queues.get(queueName).getBackend().client;
    const insert = openInsertConnection(source);
    try {
      expect(insert).not.toBeNull();
      const shape = (scripts: object, name: string) => {
        const { lua, numberOfKeys } = (scripts as Record<string, { lua: string; numberOfKeys: number }>)[name]!;
        return { lua, numberOfKeys };
      };
      expect(Object.keys(insert!.connection.scriptsSet)).toEqual(expect.arrayContaining(insertScripts));
      for (const name of insertScripts) expect(shape(insert!.connection.scriptsSet, name)).toEqual(shape(source.scriptsSet, name));
    } finally {
      await insert?.close();
    }
  });

  it("wraps a MULTI with the runCommand that BullMQ's job inserts call", async () => {
    const plain = createRedis(testRedisUrl, 'producer');
    try {
      const multi = createIORedisClient(plain).multi() as unknown as { runCommand?: unknown; discard: () => unknown };
      expect(typeof multi.runCommand).toBe('function');
      multi.discard();
    } finally {
      plain.disconnect();
    }
  });

  it('inserts through Job#addJob on the insert MULTI a normal job, at jobKey(), that a Worker processes', async () => {
    expect(typeof Job.prototype.addJob).toBe('function');
    const tx = await queues.transaction([queueName]);
    expect(tx.connection).not.toBe(source);
    const id = newId('dlv');
    const later = newId('dlv');
    const marker = `${keys.bullPrefix}:contract-marker`;
    // Each insert settles once it is queued on the MULTI (the enqueuer awaits them all before exec)...
    await tx.addJob(
      queueName,
      catalogJob('run-delivery', { deliveryId: id }, { jobId: id, attempts: 4, backoff: { type: 'fixed', delay: 10 } }),
    );
    await tx.addJob(queueName, catalogJob('run-delivery', { deliveryId: later }, { jobId: later, delay: 3_600_000 }));
    tx.commands.set(marker, 'stored with the jobs');
    // ...and nothing reaches Redis before exec, so a record and its job are stored together or not at all.
    expect(await admin.exists(jobKey(keys.bullPrefix, queueName, id), jobKey(keys.bullPrefix, queueName, later), marker)).toBe(0);
    const results = await tx.commands.exec();
    expect(results?.every(([err]) => err === null)).toBe(true);
    expect(await admin.get(marker)).toBe('stored with the jobs');

    const queue = queues.get(queueName);
    const job = await queue.getJob(id);
    expect(job).toMatchObject({
      id,
      name: 'run-delivery',
      data: { deliveryId: id },
      opts: { attempts: 4, backoff: { type: 'fixed', delay: 10 } },
    });
    expect(await queue.getJobState(id)).toBe('waiting');
    expect(await queue.getJobState(later)).toBe('delayed');

    // The key the ingress's dedupe reads to tell whether a stored delivery got its job.
    expect(jobKey(keys.bullPrefix, queueName, id)).toBe(queue.toKey(id));
    expect(jobKey(keys.bullPrefix, queueName, id)).toBe(new QueueKeys(keys.bullPrefix).toKey(queueName, id));
    expect(await admin.type(jobKey(keys.bullPrefix, queueName, id))).toBe('hash');
    expect(await admin.hget(jobKey(keys.bullPrefix, queueName, id), 'name')).toBe('run-delivery');
    expect(await admin.exists(jobKey(keys.bullPrefix, queueName, newId('dlv')))).toBe(0);

    const processed: { id?: string; name: string; data: unknown; attemptsMade: number }[] = [];
    const worker = new Worker(
      queueName,
      async (running) => {
        processed.push({ id: running.id, name: running.name, data: running.data, attemptsMade: running.attemptsMade });
        return { ran: running.data };
      },
      { connection: createRedis(testRedisUrl, 'worker'), prefix: keys.bullPrefix },
    );
    worker.on('error', () => {});
    try {
      await expect.poll(() => queue.getJobState(id), { timeout: 20_000 }).toBe('completed');
      expect(processed).toEqual([{ id, name: 'run-delivery', data: { deliveryId: id }, attemptsMade: 0 }]);
      expect((await queue.getJob(id))?.returnvalue).toEqual({ ran: { deliveryId: id } });
      expect(await queue.getJobState(later)).toBe('delayed');
    } finally {
      await worker.close();
    }
  });
});
