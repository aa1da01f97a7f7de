import { createIORedisClient } from 'bullmq';
import { Cluster, type ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/connection.js';

/** BullMQ's job-insert scripts (`addStandardJob:<version>`, `addDelayedJob:…`, …): all a job insert runs. */
const jobInsertScript = /^add[A-Za-z]*Job:/;

/** What ioredis keeps for a script defined with `defineCommand` (its `scriptsSet` is typed `{}`). */
interface DefinedScript {
  lua: string;
  numberOfKeys: number | null;
}

/**
 * A second connection, used only for the ingress's delivery MULTIs, that knows BullMQ's job-insert scripts and
 * nothing else. Why: ioredis copies every script defined on a client onto each MULTI it makes, and BullMQ defines
 * 64 on the connection its queues use, so a MULTI built there costs several times one built here (a MULTI per
 * micro-batch, on the hot path). It also keeps ingest batches from queueing behind admin traffic.
 */
export interface InsertConnection {
  /** The connection the MULTI is sent on; the `replicated` durability mode sends its `WAIT` here. */
  connection: RedisClient;
  /**
   * Resolves when the connection is ready, or after `maxWaitMs` regardless (never rejects). It only waits while the
   * connection is first being opened; a MULTI sent while it is not ready then fails at once (no offline queue), so a
   * batch never sits waiting to be stored long after its requests were answered 503.
   */
  untilReady(maxWaitMs: number): Promise<void>;
  /** A MULTI in the form BullMQ's `Job#addJob` takes. */
  multi(): ChainableCommander;
  close(): Promise<void>;
}

/**
 * Opens the insert connection as a duplicate of `source`, copying the job-insert scripts BullMQ defined on it.
 * Null when `source` holds none (BullMQ has not loaded its scripts yet, or a BullMQ version names them otherwise):
 * the caller then builds its MULTI on `source`, which is correct, only slower.
 */
export function openInsertConnection(source: RedisClient): InsertConnection | null {
  const scripts = Object.entries(source.scriptsSet as Record<string, DefinedScript>).filter(([name]) => jobInsertScript.test(name));
  if (!scripts.some(([name]) => name.startsWith('addStandardJob:'))) return null;
  const connection: RedisClient = source instanceof Cluster ? source.duplicate() : source.duplicate();
  // Errors reach the commands that meet them (the batch is answered 503); the emitter event must not crash the process.
  connection.on('error', () => {});
  for (const [name, script] of scripts) connection.defineCommand(name, { lua: script.lua, numberOfKeys: script.numberOfKeys ?? undefined });
  // BullMQ's wrapper gives the MULTI the `runCommand` its job inserts call.
  const bullClient = createIORedisClient(connection);
  return {
    connection,
    untilReady: (maxWaitMs) =>
      connection.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              connection.off('ready', done);
              resolve();
            };
            const timer = setTimeout(done, maxWaitMs);
            connection.once('ready', done);
          }),
    multi: () => bullClient.multi() as unknown as ChainableCommander,
    close: async () => {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
