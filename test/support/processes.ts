import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const repoRoot = resolve(import.meta.dirname, '../..');

import { freePort } from '../../scripts/free-port.js';

export { freePort };

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  stop: (signal?: NodeJS.Signals) => Promise<number | string>;
}

/**
 * Spawns an entry point of the repo, capturing its output: a TypeScript source with the tsx loader, or a built
 * JavaScript bundle (`apps/<app>/dist/main.js`, what `npm run start:<app>` runs) on plain node.
 */
export function spawnEntry(entry: string, env: NodeJS.ProcessEnv): RunningProcess {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? signal ?? -1)));
  return {
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `url` until it answers (any status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs = 90_000, proc?: RunningProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (proc && proc.child.exitCode !== null) throw new Error(`process exited before answering ${url}:\n${proc.output()}`);
      if (Date.now() > deadline) throw new Error(`nothing answered at ${url} within ${timeoutMs} ms${proc ? `:\n${proc.output()}` : ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface Stack {
  baseUrl: string;
  adminToken: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  ingress: RunningProcess;
  worker: RunningProcess | null;
  workerPort: number;
  stop: () => Promise<void>;
}

export interface StackOptions {
  prefix: string;
  redisUrl?: string;
  /** Start a worker too (default true). */
  worker?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Run the bundles `npm run build` made, as production does, instead of the TypeScript sources (default false). */
  built?: boolean;
}

/** The entry point of an app: its bundle or its TypeScript source. */
export const appEntry = (app: 'ingress' | 'worker', built = false) => (built ? `apps/${app}/dist/main.js` : `apps/${app}/src/main.ts`);

/** Starts the real ingress (and worker) processes on free ports with a private HOOKFLOW_HOME. */
export async function startStack({ prefix, redisUrl, worker = true, env = {}, built = false }: StackOptions): Promise<Stack> {
  const port = await freePort();
  const workerPort = await freePort();
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  const stackEnv: NodeJS.ProcessEnv = {
    PORT: String(port),
    WORKER_PORT: String(workerPort),
    REDIS_URL: redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    HOOKFLOW_REDIS_PREFIX: prefix,
    HOOKFLOW_ADMIN_TOKEN: adminToken,
    HOOKFLOW_MASTER_KEY: randomBytes(32).toString('base64'),
    HOOKFLOW_HOME: mkdtempSync(join(tmpdir(), 'hookflow-test-')),
    LOG_LEVEL: 'info',
    ...env,
  };
  const ingress = spawnEntry(appEntry('ingress', built), stackEnv);
  const workerProc = worker ? spawnEntry(appEntry('worker', built), stackEnv) : null;
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/healthz`, 90_000, ingress);
    if (workerProc) await waitForHttp(`http://127.0.0.1:${workerPort}/healthz`, 90_000, workerProc);
  } catch (err) {
    // A failed start must not leave processes running (they would keep writing under the test's prefix).
    await Promise.all([ingress.stop('SIGKILL'), workerProc?.stop('SIGKILL')]);
    throw err;
  }
  return {
    baseUrl,
    adminToken,
    prefix,
    env: stackEnv,
    ingress,
    worker: workerProc,
    workerPort,
    stop: async () => {
      await Promise.all([ingress.stop(), workerProc?.stop()]);
    },
  };
}
