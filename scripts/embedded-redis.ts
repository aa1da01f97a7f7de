import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** True when something answers PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface EmbeddedRedis {
  url: string;
  process: ChildProcess;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/**
 * Starts a private redis-server on a free loopback port with its data under `dir` (AOF on, fsync every second,
 * `noeviction` as BullMQ requires), so a one-machine installation keeps what it acknowledged across restarts.
 */
export interface EmbeddedRedisOptions {
  /** Port to listen on; default a free one. */
  port?: number;
  /** AOF fsync policy; default `everysec` (at most about a second of writes lost if the machine crashes). */
  appendfsync?: 'always' | 'everysec';
}

export async function startEmbeddedRedis(
  dir: string,
  { port, appendfsync = 'everysec' }: EmbeddedRedisOptions = {},
): Promise<EmbeddedRedis> {
  mkdirSync(dir, { recursive: true });
  port ??= await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      appendfsync,
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      join(dir, 'redis.log'),
    ],
    // Its own process group: Ctrl+C in the terminal must not stop Redis under the apps while they drain; whoever
    // started it stops it after them.
    { stdio: 'ignore', detached: true },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited at start (see ${join(dir, 'redis.log')})`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    process: child,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}
