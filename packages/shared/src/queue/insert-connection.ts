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
 * 64 on the connection its queues use, so one MULTI cost about 60 µs to build against 11 µs here (a MULTI per
 * micro-batch, on the hot path). It also keeps ingest batches from queueing behind admin traffic.
 */
export interface InsertConnection {
  /** The connection the MULTI is sent on; the `replicated` durability mode sends its `WAIT` here. */
  connection: RedisClient;
  /** Settles once the connection is first ready; it never rejects (a batch that waits too long is timed out by its caller). */
  ready: Promise<void>;
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
    ready: connection.status === 'ready' ? Promise.resolve() : new Promise((resolve) => connection.once('ready', () => resolve())),
    multi: () => bullClient.multi() as unknown as ChainableCommander,
    close: async () => {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
