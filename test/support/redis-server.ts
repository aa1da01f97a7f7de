import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './processes.js';

export interface RedisServerOptions {
  /** `appendfsync` policy; AOF is always on (`appendonly yes`), RDB snapshots off. Default `everysec`. */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** `host:port` of a master to replicate. */
  replicaOf?: string;
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: string[];
}

export interface RedisServer {
  port: number;
  url: string;
  /** Its data directory (the AOF lives in `appendonlydir/` under it). */
  dir: string;
  /** A client for test assertions (reconnects by itself after a restart). */
  client: Redis;
  /** Sends `signal` and resolves once the process has exited. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  /** Starts the server again on the same port and directory (it reloads its AOF) and waits until it answers. */
  restart: () => Promise<void>;
  /** Stops it for good and removes its directory. */
  stop: () => Promise<void>;
  /** The last lines redis-server logged, for failure messages. */
  log: () => string;
}

/**
 * A private `redis-server` on a free loopback port with its own temporary data directory, for tests that kill,
 * restart or reconfigure Redis (the shared 6379 instance must not be touched).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    options.appendfsync ?? 'everysec',
    // Keep the AOF a plain log of every write (tests read it to count executions), never compacted mid-test.
    '--auto-aof-rewrite-percentage',
    '0',
    '--maxmemory-policy',
    'noeviction',
    ...(options.replicaOf ? ['--replicaof', ...options.replicaOf.split(':')] : []),
    ...(options.args ?? []),
  ];
  let child: ChildProcess;
  let logText = '';
  let exited: Promise<void> = Promise.resolve();
  const launch = async () => {
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (logText = (logText + chunk.toString()).slice(-8_000)));
    child.stderr!.on('data', (chunk: Buffer) => (logText = (logText + chunk.toString()).slice(-8_000)));
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitForPing(
      port,
      () => child.exitCode !== null,
      () => logText,
    );
  };
  await launch();
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => 100, lazyConnect: false });
  client.on('error', () => {});
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    client,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    restart: launch,
    stop: async () => {
      client.disconnect();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => logText,
  };
}

async function waitForPing(port: number, died: () => boolean, log: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Loading a large AOF answers -LOADING; only PONG means ready.
    const res = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (res.stdout.trim() === 'PONG') return;
    if (died()) throw new Error(`redis-server on port ${port} exited:\n${log()}`);
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RedisCluster {
  nodes: RedisServer[];
  /** Comma-separated seed URLs, the form `REDIS_URL` takes with `HOOKFLOW_REDIS_CLUSTER=1`. */
  url: string;
  stop: () => Promise<void>;
}

/**
 * A real local Redis Cluster of `masters` masters (no replicas) on free loopback ports: `redis-server
 * --cluster-enabled yes` per node, joined with `redis-cli --cluster create`, and ready once every node says
 * `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      // The cluster bus port is set explicitly: the default (port + 10000) may be taken or out of range.
      const busPort = await freePort();
      nodes.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await Promise.all(nodes.map((n) => n.client.cluster('INFO') as Promise<string>));
      if (states.every((info) => /cluster_state:ok/.test(info))) break;
      if (Date.now() > deadline) throw new Error(`cluster did not reach cluster_state:ok:\n${states.join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
